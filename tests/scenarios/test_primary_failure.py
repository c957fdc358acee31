"""The primary-failure drill: the standby promoted; a synchronous one loses nothing."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import ExitCode
from drillbook.scenarios import primary_failure
from tests.conftest import CATALOG, catalog_drill
from tests.fakes import FakeReplica


def _run(path: pathlib.Path, out: pathlib.Path) -> tuple[str, dict[str, Any]]:
    result = DrillRunner(spec.load(path), out).run()
    return result.verdict, json.loads((out / "result.json").read_text())


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_synchronous_standby_takes_over_with_no_write_lost(tmp_path: pathlib.Path) -> None:
    verdict, doc = _run(catalog_drill("primary-failure", tmp_path), tmp_path / "out")
    assert verdict == "passed", doc["error"]
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert all(s["ok"] for s in doc["recovery_steps"]), steps
    assert "is a standby" in steps["check the standby"]["detail"]
    assert "'db' on the replica's network is now db-standby" in steps["point the service at it"]["detail"]
    assert doc["measurements"]["acked_writes"] > 0 and doc["measurements"]["lost_writes"] == 0
    assert any("left 'db' down" in e["detail"] for e in doc["timeline"] if e["kind"] == "fault")


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_an_asynchronous_standby_takes_over_and_what_it_lost_is_counted(tmp_path: pathlib.Path) -> None:
    path = catalog_drill("primary-failure", tmp_path, "async", backups={"standby": {"mode": "async"}})
    verdict, doc = _run(path, tmp_path / "out")
    assert all(s["ok"] for s in doc["recovery_steps"])
    m = doc["measurements"]
    assert isinstance(m["lost_writes"], int) and m["lost_writes"] == len(doc["lost_writes"])
    # Whatever an async standby lost is counted, not hidden: the verdict follows from the figures.
    data_check = next(c for c in doc["checks"] if c["name"] == "data_check")
    assert data_check["ok"] == (m["lost_after_injection"] == 0)
    met = all(o["met"] for o in doc["objectives"]) and all(c["ok"] for c in doc["checks"])
    assert verdict == ("passed" if met else "failed")


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_failover_without_a_standby_is_refused_before_anything_breaks(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spec.write_variant(CATALOG / "db-outage.yaml", tmp_path, "no-standby", recovery={"name": "failover"})
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    assert "promotes a standby, and this drill runs none" in capsys.readouterr().err
    assert not (tmp_path / "out" / "result.json").exists()


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_an_unpromoted_primary_is_started_again(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("primary-failure")
    with primary_failure.inject(fake) as fault:
        assert fake.states["db"] == "exited"
    assert fake.states["db"] == "running" and fault.revert_detail == "started 'db' again"


def test_a_promoted_standby_keeps_the_old_primary_down(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("primary-failure")
    standby = next(s.name for s in fake.target.services if s.name != "db" and s.name.startswith("db"))
    with primary_failure.inject(fake) as fault:
        fake.serve_database(standby)  # what failover did
    assert fake.states["db"] == "exited" and "promoted" in (fault.revert_detail or "")
