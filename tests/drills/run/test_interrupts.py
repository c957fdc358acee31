"""The harness under real SIGINT, SIGTERM and SIGKILL: handled, reverted, torn down, cleaned up."""

from __future__ import annotations

import json
import pathlib
import random
import signal
import subprocess
import time
from typing import Any

import pytest
from docker import DockerClient

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import drill_file, drillbook_objects, ended_with, spawn_drill, wait_for_line

pytestmark = [
    pytest.mark.docker,
    pytest.mark.slow,
    pytest.mark.beside,
    pytest.mark.usefixtures("built_images", "no_leftovers"),
]

# A real signal before the fault (SIGINT in the steady state) and after it (SIGTERM while
# recovering): the operating system's delivery, the handler and the fault's revert. That
# an interrupt in every phase is torn down and reported is the runner's unit test
# (tests/drills/run/test_runner.py), on the fake replica.
PHASES = ["steady state", "recovering"]
SHORT: dict[str, Any] = {"phases": {"steady_state_s": 3, "verify_window_s": 4}}
KILL_AFTER_S = (0.5, 5.0, 11.0)
"""SIGKILL while provisioning, in the steady state, and with the fault in place."""


@pytest.mark.parametrize("trial", range(len(PHASES)))
def test_interrupt_in_any_phase_reverts_tears_down_and_says_interrupted(
    tmp_path: pathlib.Path, docker_client: DockerClient, trial: int
) -> None:
    rng = random.Random(trial)
    phase = PHASES[trial]
    signum = signal.SIGINT if trial % 2 == 0 else signal.SIGTERM
    out = tmp_path / "out"
    proc = spawn_drill(drill_file(tmp_path, **SHORT), out)
    try:
        reached = wait_for_line(out / "journal.jsonl", f'"detail": "{phase}"', writer=proc)
        assert reached, f"phase {phase!r} never reached: {ended_with(proc)}"
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signum)
        output, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == ExitCode.INTERRUPTED, output
    result = json.loads((out / "result.json").read_text())
    assert result["verdict"] == "interrupted"
    print(f"trial {trial}: {signum.name} aimed at {phase!r}: {result['error']}")
    details = [e["detail"] for e in result["timeline"] if e["kind"] == "fault"]
    if any(d.startswith("injected") for d in details):
        assert any(d.startswith("reverted") for d in details), details
    assert drillbook_objects(docker_client) == []


def test_second_interrupt_skips_to_teardown_only(tmp_path: pathlib.Path, docker_client: DockerClient) -> None:
    out = tmp_path / "out"
    proc = spawn_drill(drill_file(tmp_path, **SHORT), out)
    try:
        assert wait_for_line(out / "journal.jsonl", '"detail": "verifying"')
        proc.send_signal(signal.SIGINT)
        assert wait_for_line(out / "journal.jsonl", '"detail": "tearing down"', 30)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == ExitCode.INTERRUPTED
    assert "skipping to teardown only" in output or "teardown is in progress" in output
    assert json.loads((out / "result.json").read_text())["verdict"] == "interrupted"
    assert drillbook_objects(docker_client) == []


@pytest.mark.parametrize("trial", range(3))
def test_sigkill_then_cleanup_leaves_nothing(
    tmp_path: pathlib.Path, docker_client: DockerClient, trial: int, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    proc = spawn_drill(drill_file(tmp_path, **SHORT), out)
    try:
        assert wait_for_line(out / "journal.jsonl", '"kind": "phase"')
        time.sleep(KILL_AFTER_S[trial])
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    # The load process notices its parent is gone and stops by itself.
    for _ in range(50):
        workers = subprocess.run(
            ["pgrep", "-f", f"drillbook.drills.observe.load.worker.*{out}"], capture_output=True, text=True
        )
        if not workers.stdout.strip():
            break
        time.sleep(0.1)
    assert not workers.stdout.strip(), "the load process outlived its harness"
    assert main(["report", str(out)]) == ExitCode.OK
    report = capsys.readouterr().out
    if (out / "result.json").exists():  # killed after the result was written: the whole report
        assert "(INCOMPLETE)" not in report and "built from its journal" not in report
    else:  # killed before: the report says it is built from the journal, and what is missing
        assert "(INCOMPLETE)" in report and "built from its journal" in report
    left = len(drillbook_objects(docker_client))
    assert main(["cleanup"]) == ExitCode.OK
    print(f"trial {trial}: {left} objects after the kill; after cleanup: {len(drillbook_objects(docker_client))}")
    assert drillbook_objects(docker_client) == []
