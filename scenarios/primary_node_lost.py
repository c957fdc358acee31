"""Primary node lost: the node running the PostgreSQL primary cut off, while a standby streams
from it on another node.

The database's service is pinned to its node (its volume is there), so the
swarm cannot move it: it is gone until someone fails over to the standby the
drill runs on the second node. The primary's node is also the first manager,
the leader of the swarm as formed: the managers left elect another while the
drill runs, which the timeline shows beside what users saw. The node's link
comes back at teardown; the failover has scaled the old primary's service to
nothing by then, so it does not come back as a second primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Cluster, Targeted, on_cluster
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, losing_node

NAME = "primary_node_lost"


def check(target: Target) -> None:
    if target.backups.standby is None:
        raise PluginError(
            f"The scenario {NAME!r} loses the primary's node while a standby runs on another, and this drill has "
            "no standby. Add `backups: {standby: {mode: sync}}` (or async) to the drill file."
        )


def primary_node(cluster: Cluster) -> str:
    """The node the database's task runs on; refused when the standby runs there too."""
    target = cluster.target
    running = [t for t in cluster.tasks() if t.state == "running" and t.desired == "running"]
    on = {t.service: t.node for t in running}
    primary, standby = on.get(target.database.service), on.get(target.backups.standby or "")
    if primary is None or standby is None or primary == standby:
        raise PluginError(
            f"The scenario {NAME!r} needs the primary and its standby running on two nodes; the swarm runs the "
            f"primary on {primary or 'no node'} and the standby on {standby or 'no node'}. Give the drill at "
            "least two nodes (`engine.nodes`)."
        )
    return primary


def ready(replica: Targeted) -> None:
    primary_node(on_cluster(replica, f"The scenario {NAME!r}"))


@contextmanager
def inject(replica: Targeted) -> Iterator[Fault]:
    cluster = on_cluster(replica, f"The scenario {NAME!r}")
    check(cluster.target)
    victim = primary_node(cluster)
    with losing_node(cluster, victim, f"{victim}, the primary's node,") as fault:
        yield fault


SCENARIO = Scenario(
    name=NAME,
    description="The node running the PostgreSQL primary cut off; a standby streams on another node.",
    expected_alerts=("database_down", "health_check_fail", "high_error_rate"),
    expected_recovery="failover",
    rehearses=("database-connection-failure", "database-down"),
    steps=(
        "check that the drill runs a standby, on another node than the primary",
        "set the primary's node's link down: the database, and the swarm's leader, cut off",
    ),
    inject=inject,
    check=check,
    ready=ready,
    engines=("swarm",),
)
