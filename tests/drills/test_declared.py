"""A team's own fault and recovery, declared as steps in the drill file, run for real."""

from __future__ import annotations

import json
import pathlib
import signal

import pytest
from docker import DockerClient

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import ROOT, drillbook_objects, spawn_drill, wait_for_line

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]

OWN_STEPS = ROOT / "tests" / "drills" / "declared" / "own-steps.yaml"


def test_a_declared_fault_and_a_declared_recovery_pass(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out"
    code = main(["run", str(OWN_STEPS), "--out", str(out), "--no-live"])
    result = json.loads((out / "result.json").read_text())
    assert code == ExitCode.OK and result["verdict"] == "passed", result["checks"]
    steps = {s["name"]: s for s in result["recovery_steps"]}
    assert list(steps) == ["thaw the database", "wait for PostgreSQL", "reset the pool", "our own check", "wait"]
    assert all(s["ok"] for s in steps.values())
    assert steps["thaw the database"]["detail"] == "unpause db: done (now running)"
    assert steps["wait for PostgreSQL"]["detail"].startswith("1 row(s)")
    assert steps["our own check"]["detail"].startswith('exit 0: {"status"')  # the team's script reached the app
    assert result["scenario"] == "frozen-database" and "database_down" in {a["rule"] for a in result["alerts"]}
    assert result["measurements"]["lost_after_injection"] == 0
    faults = [e["detail"] for e in result["timeline"] if e["kind"] == "fault"]
    assert faults[0].startswith("injected frozen-database: the database container is frozen (docker pause); ")
    # The revert ran at teardown, and found nothing left to undo: the recovery had thawed it.
    assert any(d.startswith("reverted at teardown: unpause db: nothing to do") for d in faults), faults


@pytest.mark.beside
def test_a_declared_fault_is_reverted_when_the_drill_is_interrupted(
    tmp_path: pathlib.Path, docker_client: DockerClient
) -> None:
    out = tmp_path / "out"
    proc = spawn_drill(OWN_STEPS, out)
    try:
        assert wait_for_line(out / "journal.jsonl", '"detail": "detecting"'), "the fault never went in"
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == ExitCode.INTERRUPTED, output
    result = json.loads((out / "result.json").read_text())
    faults = [e["detail"] for e in result["timeline"] if e["kind"] == "fault"]
    assert any(d.startswith("reverted at teardown: unpause db: done") for d in faults), faults
    assert result["recovery_steps"] == []  # interrupted before the recovery: the revert alone thawed it
    assert drillbook_objects(docker_client) == []
