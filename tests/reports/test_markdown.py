"""The Markdown summary, rendered from constructed result documents alone."""

from __future__ import annotations

from drillbook.reports.markdown import render
from tests.reports.sample_result import document


def test_figures_appear_where_a_reader_looks() -> None:
    text = render(document())
    assert text.startswith("# Drill `db-outage`: failed")
    assert "| RTO | 15 min | 16.53 min | **no** |" in text
    assert "| RPO | 5 min | 4.25 s | yes |" in text
    assert "| lost_after_injection | 1 |" in text
    assert "| database_down | 8.56 s | P0 |" in text
    assert "| wait for PostgreSQL | 1.25 s | yes | answers |" in text
    assert "scaled by 0.05" in text


def test_missing_figures_are_dashes_and_errors_are_quoted() -> None:
    doc = document(verdict="error", error="The steady state did not hold.", alerts=[], recovery_steps=[])
    doc["measurements"] = {k: None for k in doc["measurements"]} | {"acked_writes": 0}
    doc["objectives"] = [{"name": "RTO", "target_s": 900, "measured_s": None, "met": False}]
    text = render(doc)
    assert "> The steady state did not hold." in text
    assert "| downtime_s | — |" in text and "| lost_writes | — |" in text
    assert "## Alerts" not in text
