"""swarm_reschedule's steps on the fake cluster: the node seen down, the tasks seen moved, verified."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from drillbook.recovery.swarm_reschedule import PROCEDURE
from tests.fakes import FakeCluster, run_steps


@pytest.fixture
def cluster(fake_cluster_of: Callable[..., FakeCluster]) -> FakeCluster:
    made = fake_cluster_of("node-lost")
    made.place(("db", "node1"), ("payments", "node1"), ("app", "node2"), ("app", "node3"))
    made.app.answer("GET", "/api/health", 200, {"status": "ok"})
    return made


def test_the_swarm_is_watched_until_the_node_is_down_and_its_task_runs_elsewhere(cluster: FakeCluster) -> None:
    cluster.later = [
        lambda c: None,
        lambda c: c.mark_down("node3"),  # the swarm notices on the second look
        lambda c: None,
        lambda c: c.move("app", 2, "node1"),
    ]
    figures: dict[str, float] = {}
    ran = run_steps(PROCEDURE, cluster, figure=figures.__setitem__, injected_wall=time.time() - 1.0)
    assert [(r.step, r.ok) for r in ran] == [
        ("the swarm notices the loss", True),
        ("a leader takes updates", True),
        ("every task runs on a ready node", True),
        ("verify", True),
    ]
    assert ran[0].detail.startswith("the swarm marked node3 down, ")
    assert ran[1].detail.startswith("node1 leads and committed a change to the swarm (")
    assert "app.2 on node1" in ran[2].detail and "app.2 on node3" not in ran[2].detail
    assert 1.0 <= figures["node_down_s"] <= figures["rescheduled_s"]


def test_a_swarm_that_never_moves_the_task_fails_the_step(cluster: FakeCluster) -> None:
    cluster.mark_down("node3")
    ran = run_steps(PROCEDURE, cluster, {"timeout_s": 0.5})
    assert (ran[-1].step, ran[-1].ok) == ("every task runs on a ready node", False)
    assert "still short of tasks on ready nodes: app" in ran[-1].detail


def test_a_node_never_marked_down_fails_the_first_step(cluster: FakeCluster) -> None:
    ran = run_steps(PROCEDURE, cluster, {"timeout_s": 0.3})
    assert [(r.step, r.ok) for r in ran] == [("the swarm notices the loss", False)]
    nothing = "no node marked down and no task failed within 0.3 s (node1 ready, node2 ready, node3 ready)"
    assert nothing in ran[0].detail


def test_a_crashed_task_is_noticed_by_the_swarms_clock_and_waited_for_in_its_slot(cluster: FakeCluster) -> None:
    injected = time.time()
    cluster.later = [
        lambda c: c.crash("app", 2, at=injected - 5.0),  # a failure from before the fault is not this one
        lambda c: c.crash("app", 2, at=injected + 0.4, restarted=False),
        lambda c: None,
        lambda c: c.start_again("app", 2),
    ]
    figures: dict[str, float] = {}
    ran = run_steps(PROCEDURE, cluster, figure=figures.__setitem__, injected_wall=injected)
    assert [(r.step, r.ok) for r in ran] == [
        ("the swarm notices the loss", True),
        ("a leader takes updates", True),
        ("every task runs on a ready node", True),
        ("verify", True),
    ]
    assert ran[0].detail == "the swarm saw app.2 fail on node3 (task: non-zero exit (137)), 0.4 s after the fault"
    assert figures["task_failed_s"] == 0.4 and "node_down_s" not in figures
    assert figures["rescheduled_s"] >= 0


def test_a_lost_leader_is_waited_for_until_another_commits_a_change(cluster: FakeCluster) -> None:
    cluster.cut("node1")  # the leader's node
    cluster.later = [lambda c: c.mark_down("node1")]
    ran = run_steps(PROCEDURE, cluster, {"timeout_s": 0.5})
    assert [(r.step, r.ok) for r in ran] == [("the swarm notices the loss", True), ("a leader takes updates", False)]
    assert "no leader committed a write to the swarm" in ran[1].detail
    cluster.elect("node2")
    cluster.swarm_tasks = [t for t in cluster.swarm_tasks if t.node != "node1"]
    cluster.place(("db", "node2"), ("payments", "node2"))
    figures: dict[str, float] = {}
    ran = run_steps(PROCEDURE, cluster, figure=figures.__setitem__, injected_wall=time.time() - 2.0)
    assert all(r.ok for r in ran) and ran[1].detail.startswith("node2 leads and committed a change")
    assert figures["updates_taken_s"] >= 2.0 and cluster.actions[-1] == "update taken by node2"
