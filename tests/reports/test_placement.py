"""Where each task ran, read back from the swarm's lines on a constructed timeline."""

from __future__ import annotations

from typing import Any

from drillbook.contract import ResultDocument, swarm_node_line, swarm_task_line
from drillbook.reports import html, placement
from tests.reports.sample_result import document


def swarm(t: float, detail: str) -> dict[str, Any]:
    return {"t": t, "wall": None, "kind": "swarm", "detail": detail}


def node_lost() -> dict[str, Any]:
    """app.2 on node3 until node3 is cut at 8.5 s; marked down at 12 s, app.2 starts on node1."""
    doc = document()
    doc["timeline"] = [
        swarm(1.0, swarm_task_line("app", 1, "node2", "running")),
        swarm(1.2, swarm_task_line("app", 2, "node3", "running")),
        swarm(1.3, swarm_task_line("db", 1, "node1", "running")),
        swarm(10.0, swarm_node_line("node3", "unknown", "ready")),
        swarm(12.0, swarm_node_line("node3", "down", "unknown")),
        swarm(14.5, swarm_task_line("app", 2, "node1", "running")),
        swarm(15.0, swarm_task_line("app", 2, "node3", "orphaned")),
        swarm(30.0, swarm_node_line("node3", "ready", "down")),
        {
            "t": 31.0,
            "wall": None,
            "kind": "fault",
            "detail": "task app.1 on node9: running",
        },  # not the swarm's: ignored
    ]
    doc["duration_s"] = 40.0
    return doc


def test_each_slot_stays_on_its_node_until_it_ends_and_the_nodes_spells_follow() -> None:
    found = placement.stays(ResultDocument.model_validate(node_lost()))
    assert [(s.row, s.node, s.start, s.end, s.ended) for s in found] == [
        ("app.1", "node2", 1.0, 40.0, "running"),
        ("app.2", "node3", 1.2, 15.0, "orphaned"),
        ("app.2", "node1", 14.5, 40.0, "running"),
        ("db.1", "node1", 1.3, 40.0, "running"),
        ("node3", "node3", 10.0, 12.0, "unknown"),
        ("node3", "node3", 12.0, 30.0, "down"),
    ]


def test_the_report_draws_it_for_a_swarm_drill_and_not_for_one_engine() -> None:
    page = html.render(node_lost())
    assert "<h3>Where each task ran</h3>" in page
    assert "<title>app.2 on node3 from 1.2 s to 15.0 s, then orphaned</title>" in page
    assert "<title>node3 down from 12.0 s to 30.0 s</title>" in page
    assert "Where each task ran" not in html.render(document())
