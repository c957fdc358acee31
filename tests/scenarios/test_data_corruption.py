"""The data-corruption drill: a destructive statement by hand, undone by point-in-time recovery."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
from typing import Any

import psycopg
import pytest

from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import ExitCode, PluginError
from drillbook.scenarios import data_corruption
from tests.conftest import CATALOG, catalog_drill
from tests.fakes import FakeReplica


def _run(path: pathlib.Path, out: pathlib.Path) -> tuple[str, dict[str, Any]]:
    result = DrillRunner(spec.load(path), out).run()
    return result.verdict, json.loads((out / "result.json").read_text())


def _steps_ok(doc: dict[str, Any]) -> None:
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert all(s["ok"] for s in doc["recovery_steps"]), steps
    assert "recovery_target_lsn" in steps["find the recovery target"]["detail"]
    assert "archived" in steps["archive the current WAL"]["detail"]
    assert "promoted" in steps["replay WAL and promote"]["detail"]


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_pitr_brings_a_dropped_table_back_with_every_acknowledged_write(tmp_path: pathlib.Path) -> None:
    verdict, doc = _run(catalog_drill("data-corruption", tmp_path), tmp_path / "out")
    assert verdict == "passed", doc["error"]
    assert {"high_error_rate", "health_check_fail"} & {a["rule"] for a in doc["alerts"]}
    _steps_ok(doc)
    m = doc["measurements"]
    assert m["acked_writes"] > 0 and m["lost_writes"] == 0 and m["rpo_s"] == 0.0


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_deleted_rows_come_back_and_what_came_after_the_delete_is_counted(tmp_path: pathlib.Path) -> None:
    scenario = {"name": "data_corruption", "with": {"statement": "delete_recent", "recent_s": 30}}
    path = catalog_drill("data-corruption", tmp_path, "delete", scenario=scenario, phases={"detect_timeout_s": 6})
    verdict, doc = _run(path, tmp_path / "out")
    fault = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and e["detail"].startswith("injected"))
    assert int(re.findall(r"(\d+) rows deleted", fault)[0]) > 10  # the steady state's orders
    _steps_ok(doc)
    m = doc["measurements"]
    # Every deleted row was acknowledged before the DELETE: none of them is lost any more.
    assert m["lost_writes"] == m["lost_after_injection"] and m["rpo_s"] == 0.0
    # Orders taken between the DELETE and the recovery are rolled back with it, and counted: the load
    # writes all along, so some always are, and the drill fails, honestly.
    recovered = max(s["finished_at"] for s in doc["recovery_steps"])
    assert m["lost_after_injection"] > 0 and verdict == "failed"
    assert all(m["injected_at"] <= w["acked_at"] <= recovered for w in doc["lost_writes"])


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_target_before_the_base_backup_is_refused_before_anything_breaks(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    recovery = {"name": "pitr", "with": {"target_time": earlier}}
    path = spec.write_variant(CATALOG / "data-corruption.yaml", tmp_path, "too-early", recovery=recovery)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    assert "which is before the base backup" in capsys.readouterr().err
    assert not (tmp_path / "out" / "result.json").exists()


# --- the fault's checks and its failure path, on the fake replica -----------------------------------


@pytest.mark.parametrize(
    ("params", "refusal"),
    [({"table": "orders; DROP TABLE x"}, "plain table name"), ({"recent_s": 0}, "`recent_s` between 0 and 86400")],
)
def test_statements_it_cannot_aim_are_refused(fake: FakeReplica, params: dict[str, Any], refusal: str) -> None:
    with pytest.raises(PluginError, match=re.escape(refusal)):
        data_corruption.check(fake.target, **params)


def test_a_database_that_does_not_answer_gets_no_fault(fake: FakeReplica) -> None:
    with pytest.raises(psycopg.OperationalError), data_corruption.inject(fake):
        pytest.fail("the fault must not be in place")
    assert fake.actions == []
