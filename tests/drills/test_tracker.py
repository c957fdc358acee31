"""Real drills on a stack drillbook was not built around: the tracker (replicas/tracker).

Its new run's id is nested (`run.info.run_id`), its search is a POST with a body,
each worker's first request takes a second, its health endpoint never touches
the database, an integer column holds what the payload sends as a string, and
its broken releases exit at start (1.1.0) or die after serving (1.2.0).
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
import yaml

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import ROOT

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]

DRILLS = ROOT / "tests" / "drills" / "tracker"
TARGET = ROOT / "replicas" / "tracker" / "target.yaml"


def run(drill: pathlib.Path, out: pathlib.Path) -> tuple[int, dict[str, Any]]:
    code = main(["run", str(drill), "--out", str(out)])
    result: dict[str, Any] = json.loads((out / "result.json").read_text())
    return code, result


def variant(
    tmp_path: pathlib.Path, drill: str, name: str, phases: dict[str, float] | None = None, **target_changes: Any
) -> pathlib.Path:
    """The tracker drill `drill` against a copy of the tracker's target with some keys changed
    (and some of the drill's phases)."""
    target = yaml.safe_load(TARGET.read_text())
    target["load"]["locustfile"] = str(TARGET.parent / target["load"]["locustfile"])
    for key, value in target_changes.items():
        target[key] = value
    (tmp_path / "target.yaml").write_text(yaml.safe_dump(target))
    spec = yaml.safe_load((DRILLS / drill).read_text())
    spec.update(name=name, target="target.yaml")
    spec["phases"].update(phases or {})
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_a_release_that_exits_at_start_is_measured_and_rolled_back(tmp_path: pathlib.Path) -> None:
    code, result = run(DRILLS / "exit-at-start.yaml", tmp_path / "out")
    m = result["measurements"]
    deployed, rolled_back = result["deploy"]["replacements"]
    # The deploy stayed in place and users met it: measured from the commit, detected, rolled back.
    assert deployed["image"] == "drillbook/tracker:1.1.0" and deployed["ready_at"] is None
    assert deployed["outcome"].startswith("exited with code 2") and "--port" in deployed["outcome"]
    assert result["error"] is None and m["injected_at"] <= m["disrupted_at"] < m["detected_at"] < m["recovered_at"]
    assert m["downtime_s"] == pytest.approx(m["recovered_at"] - m["disrupted_at"], abs=1e-3)
    assert [s["name"] for s in result["recovery_steps"] if s["ok"]] == [
        "find the last stable commit",
        "git revert the bad commit",
        "reconcile",
        "verify",
    ]
    assert any(c["message"].startswith('Revert "deploy tracker 1.1.0"') for c in result["git_log"])
    # The rollback's recreate is shown as the deploy method's own restart gap.
    assert rolled_back["method"] == "recreate" and rolled_back["gap_s"] > 0
    assert "restart gap" in (tmp_path / "out" / "summary.md").read_text()
    # The nested id proved every write; "0" sent and 0 stored compare equal after normalisation.
    assert m["acked_writes"] > 20 and m["lost_writes"] == 0
    # The search key flow was probed with POST and its body (a GET gets 405), after a warm-up.
    assert result["flows"]["search runs"]["ok"] > 20
    assert "warming up" in [e["detail"] for e in result["timeline"] if e["kind"] == "phase"]
    assert result["verdict"] == "passed" and code == ExitCode.OK


def test_every_outage_is_in_the_downtime_the_second_failure_and_the_rollback_included(tmp_path: pathlib.Path) -> None:
    code, result = run(DRILLS / "dies-after-start.yaml", tmp_path / "out")
    m, outages = result["measurements"], result["outages"]
    # The deploy's restart gap, then a clean stretch, then 1.2.0 dies and is rolled back.
    assert len(outages) >= 2, outages
    first, last = outages[0], outages[-1]
    assert first["from"] == m["disrupted_at"] and last["to"] == m["recovered_at"]
    clean = last["from"] - first["to"]
    assert clean >= result["spec"]["phases"]["verify_window_s"]
    assert m["downtime_s"] == pytest.approx(last["to"] - first["from"], abs=1e-3)
    assert m["detected_at"] > first["to"], "the alert fired on the second failure, not the deploy's gap"
    assert result["verdict"] == "passed" and code == ExitCode.OK


@pytest.mark.quiet
def test_a_rolling_deploy_keeps_serving_while_a_release_that_exits_never_takes_traffic(tmp_path: pathlib.Path) -> None:
    # No alert can fire (the release never takes traffic), so detection waits its whole timeout:
    # eight seconds of the old container serving beside the halted update are the proof, not 30.
    drill = variant(
        tmp_path,
        "exit-at-start.yaml",
        "tracker-rolling",
        phases={"detect_timeout_s": 8},
        desired_state={"deploy": "rolling"},
    )
    code, result = run(drill, tmp_path / "out")
    deployed = result["deploy"]["replacements"][0]
    assert result["deploy"]["method"] == "rolling"
    assert deployed["method"] == "rolling" and deployed["ready_at"] is None and deployed["stopped_at"] is None
    assert result["measurements"]["disrupted_at"] is None and result["outages"] == []
    assert result["measurements"]["downtime_s"] == 0
    halted = [e["detail"] for e in result["timeline"] if e["kind"] == "reconcile" and "halted" in e["detail"]]
    assert halted and "traffic stays on the running container" in halted[0]
    assert result["verdict"] == "passed" and code == ExitCode.OK


def test_a_health_check_that_ignores_the_database_is_a_finding(tmp_path: pathlib.Path) -> None:
    code, result = run(DRILLS / "db-outage.yaml", tmp_path / "out")
    assert "database_down" in {a["rule"] for a in result["alerts"]}
    assert len(result["findings"]) == 1
    assert "the health check does not notice the database" in result["findings"][0]
    assert "/health" in result["findings"][0]
    assert "the health check does not notice the database" in (tmp_path / "out" / "report.html").read_text()
    assert result["verdict"] == "passed" and code == ExitCode.OK


@pytest.mark.beside
def test_a_write_flow_whose_id_is_never_found_stops_the_drill(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load = yaml.safe_load(TARGET.read_text())["load"]
    load["locustfile"] = str(TARGET.parent / load["locustfile"])
    load["write_flows"][0]["id_field"] = "run.info.id"  # the answer has run.info.run_id
    drill = variant(tmp_path, "exit-at-start.yaml", "tracker-wrong-id", load=load)
    code, result = run(drill, tmp_path / "out")
    assert code == ExitCode.BAD_INPUT and result["verdict"] == "error"
    error = result["error"]
    assert "'create run'" in error and "id_field 'run.info.id'" in error
    assert '"run_id": "string"' in error, "the message shows the answer's shape"
    assert result["measurements"]["injected_at"] is None, "no fault was injected"
    assert "run.info.id" in capsys.readouterr().out


@pytest.mark.beside
def test_a_service_the_oom_killer_ends_at_start_is_named_so_first(tmp_path: pathlib.Path) -> None:
    spec = yaml.safe_load((DRILLS / "exit-at-start.yaml").read_text())
    spec.update(name="tracker-oom", services={"tracker": {"mem_limit": "12m"}})
    drill = tmp_path / "oom.yaml"
    drill.write_text(yaml.safe_dump(spec))
    code, result = run(drill, tmp_path / "out")
    assert code == ExitCode.BAD_INPUT and result["verdict"] == "error"
    assert result["error"].startswith("Service 'tracker' was killed by the kernel's OOM killer")
    assert "services.tracker.mem_limit" in result["error"]


def test_a_steady_state_failed_by_cold_workers_says_they_timed_out(tmp_path: pathlib.Path) -> None:
    """Without the warm-up, each worker's slow first request times the probes out."""
    spec = yaml.safe_load((DRILLS / "exit-at-start.yaml").read_text())
    spec["phases"]["warmup_s"] = 0
    spec["steady_state"] = {**spec.get("steady_state", {}), "windows": 1}  # a second window would be warm
    spec["name"] = "tracker-cold"
    drill = tmp_path / "cold.yaml"
    drill.write_text(yaml.safe_dump(spec))
    code, result = run(drill, tmp_path / "out")
    assert code == ExitCode.BAD_INPUT and result["measurements"]["injected_at"] is None
    assert "timed out after 1 s" in result["error"] and "phases.warmup_s" in result["error"]


@pytest.mark.beside
def test_a_data_check_that_misreads_the_writes_stops_the_drill_before_any_fault(tmp_path: pathlib.Path) -> None:
    # The run's name read from the wrong column: every write would be "lost", and no write is.
    sql = (
        "SELECT run_uuid AS id, experiment_id, run_uuid AS run_name, start_time FROM runs WHERE run_uuid = ANY(%(ids)s)"
    )
    drill = variant(tmp_path, "exit-at-start.yaml", "tracker-misread", data_check={"sql": sql})
    code, result = run(drill, tmp_path / "out")
    assert code == ExitCode.BAD_INPUT and result["verdict"] == "error"
    error = result["error"]
    assert error.startswith("The data check is misconfigured: ") and "writes acknowledged before any fault" in error
    assert "differs: field run_name: acknowledged " in error and "the load sent {" in error
    assert result["measurements"]["injected_at"] is None, "no fault was injected"
