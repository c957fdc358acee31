"""Node lost: one node of the swarm cut off from the others, with the tasks it runs.

Its link is set down (a pulled cable, a dead switch port): nothing goes in or
out, its daemon and containers keep running, unreachable. The swarm's managers
stop hearing its heartbeat, mark it down after about three heartbeat periods,
and start its tasks on the nodes left. In front of the app's replicas the
balancer passes over the silent one, so users should see little: the drill
measures how little. The node chosen by default runs a task of the app and
nothing else of the stack, and is not the leader (`leader_lost` is that fault):
the loss the app's replicas are there to hide.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Cluster, Targeted, on_cluster
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, node_cut

NAME = "node_lost"


def check(target: Target, node: str | None = None) -> None:
    if node is not None and not (node.startswith("node") and node[4:].isdigit()):
        raise PluginError(f"The scenario {NAME!r} names a node as `node1`…`node5`, not {node!r}.")


def chosen(replica: Cluster, node: str | None = None) -> str:
    """The node to cut: `node`, or one that runs a task of the app and nothing else, not the leader."""
    if node is not None:
        if node not in replica.node_names():
            raise PluginError(
                f"The scenario {NAME!r} names {node!r}, and the cluster has {', '.join(replica.node_names())}."
            )
        return node
    app = replica.target.app
    if replica.replicas_of(app) >= len(replica.node_names()):
        raise PluginError(
            f"The scenario {NAME!r} loses a node of the app's, whose task needs a node that runs none to move to; "
            f"the app runs {replica.replicas_of(app)} replicas on {len(replica.node_names())} nodes. Give the "
            "drill more nodes than replicas (`engine.nodes`, `engine.replicas`)."
        )
    running = [t for t in replica.tasks() if t.state == "running" and t.desired == "running"]
    busy = {t.node for t in running if t.service != app} | {replica.leader()}
    candidates = sorted({t.node for t in running if t.service == app} - busy)
    if not candidates:
        where = ", ".join(f"{t.service}.{t.slot} on {t.node}" for t in running)
        raise PluginError(
            f"The scenario {NAME!r} found no node that runs the app and nothing else, away from the leader "
            f"({where}). Give the app more replicas than the database's node can take (`engine.replicas`), "
            "more nodes, or name the node: `with: {node: node2}`."
        )
    return candidates[0]


def ready(replica: Targeted, node: str | None = None) -> None:
    """The node is chosen once the stack runs: its tasks are where the swarm put them."""
    chosen(on_cluster(replica, f"The scenario {NAME!r}"), node)


@contextmanager
def inject(replica: Targeted, node: str | None = None) -> Iterator[Fault]:
    cluster = on_cluster(replica, f"The scenario {NAME!r}")
    victim = chosen(cluster, node)
    with node_cut(cluster, victim, victim) as fault:
        yield fault


SCENARIO = Scenario(
    name=NAME,
    description="One node of the swarm cut off with its tasks; the swarm moves them, the app's other replicas serve.",
    # No runbook trigger watches a node: the swarm finds it (its heartbeat), and the app's
    # replicas behind the balancer are there so that users never trip one.
    expected_alerts=(),
    expected_recovery="swarm_reschedule",
    rehearses=("web-server-down",),
    steps=(
        "choose a node that runs a task of the app and nothing else, not the leader",
        "set its link down: it stops hearing and being heard, its containers keep running",
        "the swarm marks it down after about three heartbeats and starts its tasks elsewhere",
    ),
    inject=inject,
    check=check,
    ready=ready,
    engines=("swarm",),
)
