"""A node's outages, and their ends: its link cut, its daemon killed.

A cut link is the node unplugged: it and its containers run on, unheard. A
killed daemon is the node's Docker engine crashed: SIGKILL to `dockerd`
alone, so its containerd and the containers' shims run on, and the tasks keep
answering on their node while the swarm hears no heartbeat from its agent
(which lives in the daemon). Started again (the fault's revert), the daemon
finds its containerd still running, rejoins the swarm and stops the tasks the
swarm moved meanwhile. The daemon's new pid goes into the cluster's state
file, as every piece of the cluster does, so that removal finds it.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time

from drillbook.errors import ClusterError
from drillbook.replicas.cluster import daemons, links, local
from drillbook.replicas.cluster.state import ClusterState, Node

KILL_WAIT_S = 10.0


def cut(node: Node) -> str:
    links.set_link(node.veth, up=False)
    return f"{node.name}'s link is down: it is cut off from the other nodes"


def rejoin(node: Node) -> str:
    links.set_link(node.veth, up=True)
    return f"{node.name}'s link is up again"


def kill_daemon(node: Node) -> str:
    """SIGKILL to the node's dockerd, waited for; its containerd and containers left running."""
    pid = daemons.pid_of(node)
    if pid is None:
        raise ClusterError(f"The {node.name} daemon is not running: there is no daemon to kill.")
    os.kill(pid, signal.SIGKILL)
    local.until(
        KILL_WAIT_S,
        lambda: daemons.pid_of(node) is None or None,
        f"the {node.name} daemon (pid {pid}) did not end after SIGKILL",
    )
    return f"{node.name}'s daemon killed (SIGKILL to dockerd, pid {pid}): its containers run on, unheard"


def restart_daemon(cluster: ClusterState, name: str, timeout_s: float = 60.0) -> tuple[ClusterState, str]:
    """The node's daemon started again (unless it runs) and answering; the state naming its pid."""
    node = local.node_named(cluster, name)
    if daemons.running(node):
        return cluster, f"{name}'s daemon runs: nothing to start"
    started = time.monotonic()
    restarted = daemons.start(node, daemons.cgroup_parent(cluster.cluster_id, node))
    updated = dataclasses.replace(cluster, nodes=tuple(restarted if n.name == name else n for n in cluster.nodes))
    updated.write()
    daemons.wait_ready(restarted, timeout_s)
    return updated, f"{name}'s daemon started again ({time.monotonic() - started:.1f} s): it rejoins the swarm"
