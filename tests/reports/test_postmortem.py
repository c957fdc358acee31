"""The post-mortem draft follows the runbook's PostMortem shape."""

from __future__ import annotations

from drillbook.reports import postmortem
from tests.reports.sample_result import document


def test_sections_of_the_runbooks_post_mortem() -> None:
    text = postmortem.render(document())
    for heading in (
        "## Incident",
        "## Timeline",
        "## Root cause",
        "## Contributing factors",
        "## Resolution",
        "## Prevention measures",
        "## Action items",
    ):
        assert heading in text
    assert "| severity | P0 |" in text
    assert "| duration | 16.53 min of user-visible disruption |" in text
    assert "Injected on purpose: `db_outage(mode='kill')`." in text
    assert "| 2026-11-26 17:00:08 | 8.55 s | first user-visible failure |" in text
    assert "1. wait for PostgreSQL — 1.25 s, ok (answers)" in text
    assert "| Close the gap on RTO: measured 16.53 min against 15 min | **TODO** | **TODO** |" in text


def test_alert_template_and_status_page_filled_with_the_drills_times() -> None:
    text = postmortem.render(document())
    assert "Severity: P0\nService: sample (Customer order creation)\n" in text
    assert "Impact: Customer order creation failing; 40 failed requests; 16.53 min of disruption" in text
    assert "Started: 2026-11-26 17:00:08 UTC" in text
    assert "ETA: 2026-11-26 17:15:08 UTC (the customer-facing RTO)" in text
    issues = "We're investigating reports of issues with sample (Customer order creation)"
    assert f"| 2026-11-26 17:00:08 | Investigating | {issues} |" in text
    assert "| 2026-11-26 17:16:40 | Resolved | The issue has been resolved |" in text
    assert "Identified" in text and "Fix deployed" in text
