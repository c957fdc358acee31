"""Drill history in SQLite, and the trend page that flags regressions."""

from __future__ import annotations

import pathlib
import re
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
    # It opens with the readiness view: regressions first, then the coverage of the guide's incidents.
    assert text.index("<h2>Regressions</h2>") < text.index("Coverage: the guide") < text.index("Every run, per drill")
    assert "downtime 0.60 s → 5.00 s" in text


def plotted_rows(svg: str) -> list[float]:
    """The pixel rows of a trend's points (its circles' centres)."""
    return [float(cy) for cy in re.findall(r'<circle cx="[^"]+" cy="([^"]+)"', svg)]


def test_runs_that_differ_are_on_different_pixel_rows_under_a_far_objective() -> None:
    """1-10 s downtimes under a 900 s objective: the trend fits the runs, the objective is a number."""
    svg = history_page.trend_svg([1.2, 3.4, 2.0, 9.8, 9.9], 900.0, "downtime")
    rows_px = plotted_rows(svg)
    assert len({round(r) for r in rows_px}) == 5, rows_px
    assert rows_px[4] < rows_px[3] < rows_px[1] < rows_px[2] < rows_px[0]  # larger is higher on the page
    assert "objective 900 s (above the chart)" in svg


def test_a_near_objective_is_drawn_as_a_line() -> None:
    svg = history_page.trend_svg([40.0, 55.0, 61.0], 60.0, "downtime")
    assert 'stroke="#c62828"' in svg and "objective 60 s</text>" in svg
    assert len({round(r) for r in plotted_rows(svg)}) == 3


def test_equal_runs_sit_mid_chart_not_on_the_axis() -> None:
    rows_px = plotted_rows(history_page.trend_svg([5.0, 5.0], None, "RPO"))
    assert len(set(rows_px)) == 1 and 30 < rows_px[0] < 90
