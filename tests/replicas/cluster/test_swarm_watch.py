"""The swarm's view on the timeline: each change said once, a node's down time kept."""

from __future__ import annotations

from drillbook.contract import EventKind
from drillbook.replicas.cluster.swarm_watch import SwarmWatch
from drillbook.replicas.protocols import Task
from tests.fakes import FakeNode


def test_changes_are_said_once_and_tasks_on_their_way_are_not() -> None:
    nodes = [FakeNode("node1", leader=True), FakeNode("node2")]
    tasks = [Task("a", "app", 1, "node2", "running", "running"), Task("b", "app", 2, "node1", "preparing", "running")]
    said: list[tuple[EventKind, str]] = []
    watch = SwarmWatch(
        lambda: nodes,
        lambda: tasks,
        lambda kind, line: said.append((kind, line)),
        last_words=lambda task: "ERROR: no database",
    )
    assert watch.look() == ["task app.1 on node2: running"]
    assert watch.look() == []  # nothing changed
    nodes[0], nodes[1] = FakeNode("node1"), FakeNode("node2", state="down", leader=True)
    tasks[1] = Task("b", "app", 2, "node1", "failed", "running", error="task: non-zero exit (1)")
    assert watch.look() == [
        "node node2 is down (was ready)",
        "node2 is the leader now (was node1)",
        "task app.2 on node1: failed: task: non-zero exit (1); its log ends: ERROR: no database",
    ]
    assert "node2" in watch.down_since and "node1" not in watch.down_since
    nodes[1] = FakeNode("node2")
    assert watch.look() == ["node node2 is ready (was down)"] and watch.down_since == {}
    assert {kind for kind, _ in said} == {EventKind.SWARM}
    watch.stop()  # never started: stopping is harmless
