"""The runaway-CPU drill: busy processes in the service's container, found by CPU time and killed."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode, PluginError
from drillbook.scenarios import runaway_process
from tests.conftest import catalog_drill
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_runaway_processes_are_found_and_killed(tmp_path: pathlib.Path) -> None:
    code = main(["run", str(catalog_drill("runaway-cpu", tmp_path / "drill")), "--out", str(tmp_path)])
    doc = json.loads((tmp_path / "result.json").read_text())
    assert code == ExitCode.OK, doc.get("error") or doc["checks"]
    assert {"high_error_rate", "health_check_fail", "response_time_slow"} & {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    found = steps["find the runaway process"]["detail"]
    assert "64 process(es)" in found and "busy-loop report-exporter" in found, found
    assert steps["kill it"]["detail"].startswith("killed 64 process(es)")
    assert doc["measurements"]["lost_writes"] == 0


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_busy_loops_are_started_in_one_exec_and_killed_on_exit(fake: FakeReplica) -> None:
    with runaway_process.inject(fake, processes=3, name="report-exporter") as fault:
        spawned = [a for a in fake.actions if a.startswith("exec app sh -c ")]
        assert len(spawned) == 1 and "-lt 3" in spawned[0] and "busy-loop report-exporter" in spawned[0]
        assert fault.began is not None
    assert fake.actions[-1] == "exec app pkill -9 -f busy-loop report-exporter"
    assert fault.revert_detail == "killed what was left of 'report-exporter'"


def test_a_name_that_could_match_other_processes_is_refused(fake: FakeReplica) -> None:
    with pytest.raises(PluginError, match="lowercase letters, digits and dashes"):
        runaway_process.check(fake.target, 8, "x; rm -rf /", None)
