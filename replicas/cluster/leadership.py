"""The swarm's leader: moved off a node before a fault, and proven to take writes after one.

Swarm has no command that hands leadership over; demoting the leader to a
worker makes it step down and the other managers elect one of themselves, and
promoting it again makes it a manager that follows. A leader is proven by a
write to the swarm's Raft store: a label on a node's spec, which only a leader
commits (a follower forwards it; with no leader it fails).
"""

from __future__ import annotations

import time

from drillbook.replicas.cluster import daemons, local
from drillbook.replicas.cluster.state import ClusterState

CHECK_LABEL = "drillbook.leader-check"


def step_down(cluster: ClusterState, node: str, timeout_s: float = 60.0) -> str:
    """`node`, the leader, demoted until another manager leads, then promoted again: who leads now."""
    _set_role(cluster, node, "worker", timeout_s)
    leader = local.until(timeout_s, lambda: _leader_other_than(cluster, node), f"no manager took over from {node}")
    _set_role(cluster, node, "manager", timeout_s)
    local.until(timeout_s, lambda: _is_manager(cluster, node), f"{node} did not become a manager again")
    return leader


def take_update(cluster: ClusterState, timeout_s: float) -> str:
    """A write the swarm's leader must commit, retried until one does: the leader that did."""

    def write() -> str | None:
        engine = daemons.client(local.manager(cluster, wait_s=0), timeout_s=5)
        node = engine.nodes.get(cluster.nodes[0].name)
        spec = dict(node.attrs["Spec"])
        spec["Labels"] = {**spec.get("Labels", {}), CHECK_LABEL: str(time.time())}
        node.update(spec)
        return next((n.hostname for n in local.nodes(cluster) if n.leader), None)

    return local.until(timeout_s, write, "no leader committed a write to the swarm")


def _set_role(cluster: ClusterState, name: str, role: str, timeout_s: float) -> None:
    def done() -> bool | None:
        engine = daemons.client(local.manager(cluster, wait_s=0), timeout_s=5)
        node = engine.nodes.get(name)
        node.update({**node.attrs["Spec"], "Role": role})
        return True

    local.until(timeout_s, done, f"{name} could not be made a {role}")


def _leader_other_than(cluster: ClusterState, node: str) -> str | None:
    return next((n.hostname for n in local.nodes(cluster) if n.leader and n.hostname != node), None)


def _is_manager(cluster: ClusterState, node: str) -> bool | None:
    return True if any(n.hostname == node and n.manager for n in local.nodes(cluster)) else None
