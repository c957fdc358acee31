"""The report's "Your alerts", from a result document alone."""

from __future__ import annotations

from typing import Any

from drillbook.reports import html, markdown
from tests.reports.sample_result import document


def _monitoring(paged_in_s: float | None) -> dict[str, Any]:
    return {
        "rules_file": "/team/alerts.yml",
        "alertmanager_file": "/team/alertmanager.yml",
        "rules": ["DbDown", "DiskFull", "Burn"],
        "expected": ["DbDown", "DiskFull"],
        "detect_by": "monitoring",
        "scrape_interval_s": 1.0,
        "evaluation_interval_s": 1.0,
        "scaling": [{"group": "api", "rule": "DbDown", "field": "for", "before": "2m", "after": "6s"}],
        "alerts": [
            {
                "name": "DbDown",
                "labels": {"team": "returns"},
                "fired_at": 12.0,
                "delivered_at": 13.0,
                "receiver": "oncall",
                "source": "team",
            },
        ],
        "outcomes": [
            {
                "rule": "DbDown",
                "expected": True,
                "status": "fired",
                "fired_at": 12.0,
                "delivered_at": 13.0,
                "after_fault_s": 2.0,
                "after_drillbook_s": -0.5,
            },
            {"rule": "DiskFull", "expected": True, "status": "missed"},
            {
                "rule": "Burn",
                "expected": False,
                "status": "noise",
                "fired_at": 14.0,
                "after_fault_s": 4.0,
                "after_drillbook_s": 1.5,
            },
        ],
        "budget_s": 16.0,
        "first_fired_at": 12.0,
        "paged_at": None if paged_in_s is None else 10.0 + paged_in_s,
        "paged_in_s": paged_in_s,
        "within_budget": paged_in_s is not None and paged_in_s <= 16.0,
        "tolerance_s": 2.5,
        "agreement": [{"rule": "database_down", "drillbook_at": 10.5, "prometheus_at": 11.8, "apart_s": 1.3}],
    }


def _doc(paged_in_s: float | None) -> dict[str, Any]:
    doc = document(monitoring=_monitoring(paged_in_s), time_scale=0.05)
    doc["measurements"]["injected_at"] = 10.0
    return doc


def test_the_html_report_shows_each_rule_its_verdict_and_the_rewrites() -> None:
    page = html.render(_doc(3.0))
    section = page[page.index("<h2>Your alerts</h2>") : page.index("<h2>Checks</h2>")]
    assert "On-call was paged 3.00 s after the fault (budget 16.00 s" in section and "within it" in section
    assert "1 fired as expected, 1 missed, 1 noise" in section
    assert "MISSED: expected, never fired" in section and "noise: fired, not expected" in section
    assert "+3.00 s after the fault to oncall" in section and "0.50 s before drillbook" in section
    assert "<code>2m</code></td><td><code>6s</code>" in section
    assert "database_down" in section and "1.30 s" in section


def test_the_summary_says_when_on_call_was_never_paged() -> None:
    text = markdown.render(_doc(None))
    assert "On-call was never paged: none of your alerts was delivered after the fault" in text


def test_a_drill_without_monitoring_has_no_such_section() -> None:
    assert "Your alerts" not in html.render(document())
