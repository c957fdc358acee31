"""Leader lost: the node of the swarm's leading manager cut off from the others.

The managers left stop hearing the leader, elect one of themselves once the
Raft election timeout passes, and until then nothing can change the swarm:
no task moved, no service updated. The lost node's tasks then move like any
lost node's. With fewer than three managers no quorum is left to elect a new
leader: refused. The drill is about the control plane, so the leader must not
also hold the database (that is `primary_node_lost`): a leader on a node with
a stateful task is moved off it first (demoted, then promoted again), on the
timeline, before the steady state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Cluster, Targeted, on_cluster
from drillbook.scenarios.base import Fault, Scenario, losing_node

NAME = "leader_lost"


def _stateful_on(cluster: Cluster, node: str) -> list[str]:
    stateful = {s.name for s in cluster.target.services if s.volumes}
    return sorted(f"{t.service}.{t.slot}" for t in cluster.tasks() if t.node == node and t.service in stateful)


def _leader(cluster: Cluster) -> str:
    managers = [n.hostname for n in cluster.nodes() if n.manager]
    if len(managers) < 3:
        raise PluginError(
            f"The scenario {NAME!r} needs at least three managers: with {len(managers)}, the ones left "
            "after the leader is lost have no quorum and elect no one. Set `engine.managers` (and `nodes`) to 3."
        )
    leader = cluster.leader()
    if leader is None:
        raise PluginError(f"The scenario {NAME!r} found no leader among {', '.join(managers)}.")
    return leader


def ready(replica: Targeted) -> None:
    """The leader apart from the database before the steady state: moved if it is not."""
    cluster = on_cluster(replica, f"The scenario {NAME!r}")
    leader = _leader(cluster)
    if _stateful_on(cluster, leader):
        cluster.step_down(leader)


@contextmanager
def inject(replica: Targeted) -> Iterator[Fault]:
    cluster = on_cluster(replica, f"The scenario {NAME!r}")
    leader = _leader(cluster)
    if held := _stateful_on(cluster, leader):
        raise PluginError(f"The leader {leader} runs {', '.join(held)}: losing it is `primary_node_lost`'s fault.")
    with losing_node(cluster, leader, f"{leader}, the swarm's leader,") as fault:
        yield fault


SCENARIO = Scenario(
    name=NAME,
    description="The swarm's leading manager cut off; the managers left elect another and the swarm moves on.",
    # The app's replicas behind the balancer hide a lost node: no runbook trigger should trip.
    expected_alerts=(),
    expected_recovery="swarm_reschedule",
    rehearses=("web-server-down",),
    steps=(
        "move the leader off any node with a stateful task (demote, promote), before the steady state",
        "set the leader's link down: the managers left lose it",
        "they elect a new leader; it marks the lost node down and moves its tasks",
    ),
    inject=inject,
    ready=ready,
    engines=("swarm",),
)
