"""The Markdown summary, rendered from constructed result documents alone."""

from __future__ import annotations

from typing import Any

from reports.markdown import render


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": "1",
        "drill": "db-outage",
        "verdict": "failed",
        "error": None,
        "started_at": "2026-11-26T17:00:00.000+00:00",
        "time_scale": 0.05,
        "tier": "customer-facing",
        "target": "sample",
        "scenario": "db_outage(mode='kill')",
        "recovery": "restart_database",
        "measurements": {
            "injected_at": 8.5,
            "disrupted_at": 8.55,
            "detected_at": 8.56,
            "recovered_at": 1000.1,
            "downtime_s": 991.55,
            "time_to_detect_s": 0.06,
            "time_to_recover_s": 991.54,
            "acked_writes": 120,
            "lost_writes": 3,
            "lost_after_injection": 1,
            "rpo_s": 4.25,
        },
        "objectives": [
            {"name": "RTO", "target_s": 900, "measured_s": 991.55, "met": False},
            {"name": "RPO", "target_s": 300, "measured_s": 4.25, "met": True},
        ],
        "checks": [{"name": "data_check", "ok": False, "detail": "120 acknowledged writes, 3 lost"}],
        "alerts": [{"rule": "database_down", "fired_at": 8.56, "severity": "P0"}],
        "recovery_steps": [
            {"name": "wait for PostgreSQL", "started_at": 9.0, "finished_at": 10.25, "ok": True, "detail": "answers"}
        ],
        "timeline": [],
    }
    doc.update(changes)
    return doc


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
