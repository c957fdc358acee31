"""The guide's incidents against the drills and the history: covered, stale, never run, gaps."""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import pytest

from drillbook.drills.campaigns import coverage
from drillbook.drills.campaigns.history import History, Run
from drillbook.drills.cli import main
from drillbook.drills.cli.coverage import drill_scenarios
from drillbook.drills.cli.files import CATALOG
from tests.drills.campaigns.test_history import run_doc

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def run(drill: str, started: str, verdict: str = "passed") -> Run:
    return Run(f"{drill}-{started}", drill, started, verdict, 1.0, 900.0, 0.0, 300.0, 0, None)


def by_key(rows: list[coverage.Row]) -> dict[str, coverage.Row]:
    return {r.incident.key: r for r in rows}


def test_status_from_the_newest_run_of_each_covering_drill() -> None:
    drills = {"db-outage": "db_outage", "data-loss": "data_loss", "bad-deploy": "bad_deploy"}
    runs = [
        run("db-outage", "2026-11-30T03:00:00+00:00"),
        run("db-outage", "2026-10-01T03:00:00+00:00", "failed"),
        run("data-loss", "2026-09-01T03:00:00+00:00", "failed"),
    ]
    rows = by_key(coverage.rows(drills, runs, NOW))
    db = rows["database-connection-failure"]
    assert db.status == "rehearsed"
    assert [(c.drill, c.verdict) for c in db.drills] == [("db-outage", "passed")]
    assert rows["data-loss-or-corruption"].status == "stale"  # 91 days ago
    assert rows["high-error-rates"].status == "never run"  # bad-deploy covers it, has no run
    assert rows["security-breach"].status == "not covered"
    assert rows["documentation-issues"].status == "not a recovery incident"


def test_most_severe_first() -> None:
    severities = [r.incident.severity for r in coverage.rows({}, [], NOW)]
    assert severities == sorted(severities)


def test_the_catalog_drills_are_read_with_their_scenarios() -> None:
    drills = drill_scenarios([CATALOG])
    assert drills["db-outage"] == "db_outage" and drills["bad-deploy"] == "bad_deploy"
    assert "nightly" not in drills  # a game day is not a drill


def test_the_command_lists_gaps_and_exits_1_until_every_incident_is_rehearsed(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = History(tmp_path / "h.db")
    doc = run_doc(1, 0.6)
    doc["started_at"] = dt.datetime.now(dt.UTC).isoformat()
    store.add(doc, None)
    store.close()
    code = main(["coverage", "--history", str(tmp_path / "h.db"), "--json"])
    listed = {r["incident"]: r for r in json.loads(capsys.readouterr().out)}
    assert code == 1
    assert listed["database-connection-failure"]["status"] == "rehearsed"
    assert listed["monitoring-down"]["status"] == "not covered"  # no drill takes the monitoring down
    assert listed["websockets-down"]["status"] == "never run"  # websocket-outage covers it
    assert listed["security-breach"]["status"] == "never run"  # leaked-credential covers it
    assert any(d["drill"] == "db-outage" and d["verdict"] == "passed" for d in listed["database-down"]["drills"])


def test_a_drills_folder_that_is_not_one_is_refused(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--drills", str(tmp_path / "missing"), "--history", str(tmp_path / "h.db")]) == 2
    assert "is not a folder" in capsys.readouterr().err
