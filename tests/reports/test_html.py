"""The HTML report, rendered from constructed documents: figures where a reader looks."""

from __future__ import annotations

import re

from drillbook.reports import documents, html
from tests.reports.sample_result import document


def row(page: str, first_cell: str) -> str:
    """The text of the table row that starts with `first_cell`, tags stripped."""
    match = re.search(rf"<tr><td>{re.escape(first_cell)}</td>(.*?)</tr>", page, re.S)
    assert match, f"no row for {first_cell!r}"
    return re.sub(r"<[^>]+>", "|", match.group(1))


def test_the_verdict_comes_first_in_plain_words() -> None:
    page = html.render(document())
    verdict = page.index('class="verdict failed"')
    assert verdict < page.index("<h2>")
    assert "Recovery objectives NOT met: the service was back in 16.53 min (target 15 min)" in page
    assert "3 acknowledged writes were lost, 4.25 s of data (target: at most 5 min)" in page


def test_objectives_severity_budgets_and_continuity() -> None:
    page = html.render(document())
    assert "|15 min|" in row(page, "RTO") and "|16.53 min|" in row(page, "RTO") and "|no|" in row(page, "RTO")
    assert "P0 — CRITICAL" in page
    detection = row(page, "Phase 1: detection &amp; alert within 5 minutes of the fault")
    assert "|0.06 s|" in detection and "|yes|" in detection
    assert "|16.53 min|" in row(page, "Resolved before escalation (P0: 30 minutes)")
    # The runbook's business-continuity order is kept, unexercised services said so.
    assert page.index("Customer order creation") < page.index("Payment processing") < page.index("Admin dashboard")
    assert "not exercised by this drill" in row(page, "2")
    assert "|75.00%|" in row(page, "1") and "|0.00%|" in row(page, "1")


def test_chart_lost_writes_steps_and_environment() -> None:
    page = html.render(document())
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "Load success rate" in svg and "Mean latency" in svg and "Memory of app" in svg
    assert "fault 8.5s" in svg and "detected 8.6s" in svg and "recovered 1000.1s" in svg
    assert "<polyline" in svg
    assert "|4.25 s||missing|" in row(page, "17")
    assert "|1.25 s|" in row(page, "wait for PostgreSQL")
    assert "ci-runner-3" in page and "abc123" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched


def test_a_partial_result_says_what_is_missing() -> None:
    journal = "\n".join(
        [
            '{"type": "header", "drill": "db-outage", "drill_id": "db-outage-1", "started_at": "2026-11-26T17:00:00"}',
            '{"type": "event", "t": 0.0, "wall": "w", "kind": "phase", "detail": "provisioning"}',
            '{"type": "event", "t": 3.5, "wall": "w", "kind": "phase", "detail": "steady state"}',
            '{"type": "event", "t": 4.0, "wall": "w", "kind": "ph',
        ]
    )
    import pathlib

    doc = documents.from_journal(journal, pathlib.Path("journal.jsonl"))
    page = html.render(doc)
    assert "(incomplete)" in page
    assert "Missing from this result:" in page and "the harness stopped before them" in page
    assert "ends 3.50 s into the drill" in page
    assert "This drill did not finish" in page
    assert "steady state" in page


STREAM = {
    "url_path": "/ws/drivers",
    "clients": 2,
    "connected_at_injection": 2,
    "disconnected": 2,
    "reconnected": 1,
    "longest_s": 6.0,
    "mean_s": 4.0,
    "first_lost_at": 9.0,
    "last_back_at": None,
    "disconnections": [
        {"client": 0, "lost_at": 9.0, "back_at": 11.0, "why": "closed by the server"},
        {"client": 1, "lost_at": 9.0, "back_at": None, "why": "silent for 1 s"},
    ],
    "connected": [[1.0, 1], [1.1, 2], [9.0, 1], [9.0, 0], [11.0, 1]],
}


def test_a_streams_clients_are_drawn_and_said_apart_from_the_downtime() -> None:
    page = html.render(document(stream=STREAM))
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "WebSocket clients holding /ws/drivers" in svg
    lane = svg[svg.index("WebSocket clients holding") :]
    steps = re.search(r'<polyline points="([^"]+)"', lane)
    assert steps and len(steps.group(1).split()) == 9  # five counts, each held until the next
    assert "2 of 2 live-stream (WebSocket) clients were disconnected, the longest for 6.00 s" in page
    assert "and only 1 reconnected" in page
    assert "disconnected: 2; reconnected: 1" in page


def test_a_result_without_a_stream_draws_no_stream_lane() -> None:
    page = html.render(document())
    assert "WebSocket" not in page
