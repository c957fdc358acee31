"""Drill history in SQLite, and the trend page that flags regressions."""

from __future__ import annotations

import pathlib
from typing import Any

from drillbook.drills.campaigns.history import History
from drillbook.drills.cli import main
from drillbook.reports import history_page
from tests.reports.sample_result import document


def run_doc(i: int, downtime: float, verdict: str = "passed") -> dict[str, Any]:
    doc = document(verdict=verdict, drill_id=f"db-outage-{i}", started_at=f"2026-11-2{i}T10:00:00")
    doc["objectives"] = [
        {"name": "RTO", "target_s": 900, "measured_s": downtime, "met": downtime <= 900},
        {"name": "RPO", "target_s": 300, "measured_s": 0.0, "met": True},
    ]
    doc["measurements"] = {**doc["measurements"], "downtime_s": downtime, "rpo_s": 0.0, "lost_writes": 0}
    return doc


def test_store_list_and_render(tmp_path: pathlib.Path, capsys: object) -> None:
    store = History(tmp_path / "h.db")
    for i, downtime in enumerate([0.6, 0.7, 4.0, 0.65]):
        store.add(run_doc(i, downtime), None)
    store.add(run_doc(1, 0.7), None)  # the same drill id again replaces, never duplicates
    runs = store.runs()
    assert [r.downtime_s for r in runs] == [0.65, 4.0, 0.7, 0.6]
    assert len(store.documents("db-outage")) == 4
    store.close()

    rows = history_page.rows(History(tmp_path / "h.db").documents())
    assert [bool(r.regressions) for r in rows] == [False, False, True, False]
    assert rows[2].regressions == ("downtime 0.70 s → 4.00 s",)


def test_verdict_regression_is_flagged() -> None:
    rows = history_page.rows([run_doc(1, 0.6), run_doc(2, 0.6, verdict="failed")])
    assert rows[1].regressions == ("verdict passed → failed",)


def test_history_command_lists_and_writes_the_page(tmp_path: pathlib.Path) -> None:
    store = History(tmp_path / "h.db")
    store.add(run_doc(1, 0.6), None)
    store.add(run_doc(2, 5.0), None)
    store.close()
    page = tmp_path / "history.html"
    assert main(["history", "--history", str(tmp_path / "h.db"), "--html", str(page)]) == 0
    text = page.read_text()
    assert "db-outage" in text and "1 regression" in text and "objective 900 s" in text
