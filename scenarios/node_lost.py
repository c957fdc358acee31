"""Node lost: one node of the swarm cut off from the others, with the tasks it runs.

Its link is set down (a pulled cable, a dead switch port): nothing goes in or
out, its daemon and containers keep running, unreachable. Or, `how: daemon`,
its Docker daemon is killed (the engine crashed): its containers keep running
and answering, but the swarm's agent in the daemon is gone. Either way the
swarm's managers stop hearing its heartbeat, mark it down after about three
heartbeat periods, and start its tasks on the nodes left. In front of the
app's replicas the balancer passes over the silent one, so users should see
little: the drill measures how little. The node chosen by default runs a task
of the app and nothing else of the stack: the loss the app's replicas are
there to hide. It is not the leader (`leader_lost` is that fault): a leader on
the only such node (a cut node that rejoins often wins the next election) is
first moved off it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Cluster, Targeted, on_cluster
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, NodeLoss, Scenario, losing_node

NAME = "node_lost"


def check(target: Target, node: str | None = None, how: NodeLoss = "link") -> None:
    if node is not None and not (node.startswith("node") and node[4:].isdigit()):
        raise PluginError(f"The scenario {NAME!r} names a node as `node1`…`node5`, not {node!r}.")


def chosen(replica: Cluster, node: str | None = None) -> str:
    """The node to lose: `node`, or one that runs a task of the app and nothing else, the leader's
    only if no other does."""
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
    busy = {t.node for t in running if t.service != app}
    app_only = sorted({t.node for t in running if t.service == app} - busy)
    if not app_only:
        where = ", ".join(f"{t.service}.{t.slot} on {t.node}" for t in running)
        raise PluginError(
            f"The scenario {NAME!r} found no node that runs the app and nothing else ({where}). Give the app "
            "more replicas than the database's node can take (`engine.replicas`), more nodes, or name the node: "
            "`with: {node: node2}`."
        )
    # The leader's node only when no other will do: `ready` moves the leader off it first.
    return next((n for n in app_only if n != replica.leader()), app_only[0])


def ready(replica: Targeted, node: str | None = None, how: NodeLoss = "link") -> None:
    """The node is chosen once the stack runs (its tasks are where the swarm put them); a leader
    on it is moved off it, on the timeline, before the steady state (losing it is `leader_lost`)."""
    cluster = on_cluster(replica, f"The scenario {NAME!r}")
    victim = chosen(cluster, node)
    if node is None and cluster.leader() == victim:
        cluster.step_down(victim)


@contextmanager
def inject(replica: Targeted, node: str | None = None, how: NodeLoss = "link") -> Iterator[Fault]:
    cluster = on_cluster(replica, f"The scenario {NAME!r}")
    victim = chosen(cluster, node)
    with losing_node(cluster, victim, victim, how) as fault:
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
        "choose a node that runs a task of the app and nothing else; a leader on it is moved off it first",
        "set its link down (or, `how: daemon`, kill its Docker daemon): the swarm stops hearing it, "
        "its containers keep running",
        "the swarm marks it down after about three heartbeats and starts its tasks elsewhere",
    ),
    inject=inject,
    check=check,
    ready=ready,
    engines=("swarm",),
)
