"""The built-in database-outage drill, run for real against the engine."""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from drillbook.scenarios import db_outage
from tests.conftest import CatalogRun, catalog_drill
from tests.fakes import FakeReplica, did

CONTRACT = {"schema_version", "drill", "verdict", "measurements", "objectives", "alerts", "recovery_steps", "timeline"}
MEASUREMENTS = {
    "injected_at",
    "disrupted_at",
    "detected_at",
    "recovered_at",
    "downtime_s",
    "time_to_detect_s",
    "time_to_recover_s",
    "acked_writes",
    "lost_writes",
    "lost_after_injection",
    "rpo_s",
}


def run_drill(tmp_path: pathlib.Path, mode: str, catalog: CatalogRun) -> tuple[int, pathlib.Path]:
    if mode == "kill":  # the catalog drill itself, as `make drill` runs it
        return catalog.code, catalog.out
    drill = yaml.safe_load(catalog_drill("db-outage", tmp_path / "catalog").read_text())
    drill["scenario"]["with"] = {"mode": mode}
    path = tmp_path / f"db-outage-{mode}.yaml"
    path.write_text(yaml.safe_dump(drill))
    return main(["run", str(path), "--out", str(tmp_path / "out")]), tmp_path / "out"


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
@pytest.mark.parametrize("mode", ["kill", "pause"])
def test_db_outage_drill_end_to_end(tmp_path: pathlib.Path, mode: str, catalog_db_outage: CatalogRun) -> None:
    code, out = run_drill(tmp_path, mode, catalog_db_outage)
    result = json.loads((out / "result.json").read_text())
    m = result["measurements"]

    assert result.keys() >= CONTRACT and m.keys() >= MEASUREMENTS
    assert result["schema_version"] == "2" and result["drill"] == "db-outage"
    checks = {c["name"]: c for c in result["checks"]}
    assert checks["steady_state"]["ok"], checks["steady_state"]

    # The fault was real and users saw it.
    assert m["disrupted_at"] is not None and m["disrupted_at"] >= m["injected_at"]
    assert "database_down" in {a["rule"] for a in result["alerts"]}
    assert m["detected_at"] is not None and m["time_to_detect_s"] < 5

    # The runbook's procedure ran every step and the service came back.
    assert [s["name"] for s in result["recovery_steps"]] == [
        "restart database container",
        "wait for PostgreSQL",
        "reset application connections",
        "verify",
    ]
    assert all(s["ok"] for s in result["recovery_steps"])
    assert m["recovered_at"] is not None and m["downtime_s"] > 0

    # Every acknowledged write is in the database: a clean restart loses nothing.
    assert m["acked_writes"] > 20
    assert m["lost_writes"] == 0 and m["lost_after_injection"] == 0 and m["rpo_s"] == 0

    # The verdict is what the objectives say, and so is the exit code.
    met = all(o["met"] for o in result["objectives"]) and all(c["ok"] for c in result["checks"])
    assert result["verdict"] == ("passed" if met else "failed")
    assert code == (ExitCode.OK if met else ExitCode.OBJECTIVE_MISSED)
    assert met, result["objectives"]

    kinds = [e["kind"] for e in result["timeline"]]
    assert kinds.index("fault") < kinds.index("alert") < kinds.index("recovery_step")
    assert (out / "summary.md").read_text().startswith("# Drill `db-outage`: passed")
    for name in ("report.html", "junit.xml", "postmortem.md", "journal.jsonl"):
        assert (out / name).stat().st_size > 0


# --- the fault's logic, on the fake replica -------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "while_in", "put_back"), [("kill", "exited", "start db"), ("pause", "paused", "unpause db")]
)
def test_the_fault_is_in_place_while_entered_and_undone_on_exit(
    fake: FakeReplica, mode: db_outage.Mode, while_in: str, put_back: str
) -> None:
    with db_outage.inject(fake, mode=mode) as fault:
        assert fake.states["db"] == while_in
        assert "'db'" in fault.description and mode in fault.description
    assert fake.states["db"] == "running" and did(fake, put_back)
    assert fault.reverted and fault.revert_detail is not None


def test_revert_leaves_a_database_the_procedure_already_restarted(fake: FakeReplica) -> None:
    with db_outage.inject(fake, mode="stop") as fault:
        fake.start_service("db")  # what restart_database did
    assert fault.revert_detail is None and len(did(fake, "start db")) == 1
