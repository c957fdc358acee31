"""A local cluster lent to one drill after another: formed once, cleared after each drill.

Forming a cluster takes seconds and filling its nodes with images tens of
seconds (save/load); drills of one size can share one (the test session's
swarm drills do: `tests/conftest.py`). A drill on a lent cluster checks that it
is the size its `engine:` asks for and sets its heartbeat; at its teardown it
removes only what carries its labels (its services, whose tasks' containers go
with them, its networks, its volumes on every node), brings every link up
again and waits until every node is ready, so that the next drill meets the
cluster as this one did. The cluster itself is removed by whoever formed it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

import docker.errors
from docker import DockerClient

from drillbook.errors import ClusterError
from drillbook.replicas import labels
from drillbook.replicas.cluster import daemons, links, local
from drillbook.replicas.cluster.state import ClusterState

SETTLE_S = 60.0
QUIET_S = 3.0
"""How long every node must have stayed as it is before the cluster is lent on: a node that
rejoined can be marked down again by a manager catching up, and a drill that places its tasks
then finds one node fewer (a CI run's daemon-killed drill found no node for an app task alone)."""


def fit(cluster: ClusterState, nodes: int, managers: int | None, heartbeat_s: float) -> str:
    """Refuse a cluster of another size; set the drill's heartbeat; what was found."""
    wanted = nodes if managers is None else managers
    has = sum(n.manager for n in cluster.nodes)
    if (len(cluster.nodes), has) != (nodes, wanted):
        raise ClusterError(
            f"The local cluster {cluster.cluster_id} lent to this drill has {len(cluster.nodes)} nodes, {has} of "
            f"them managers; the drill's `engine:` asks for {nodes} and {wanted}. Lend one of that size, or "
            "let the drill form its own."
        )
    ready(cluster)
    try:
        manager = daemons.client(local.manager(cluster), timeout_s=10)
        manager.swarm.reload()
        # The spec as it is with one field changed: a spec built from the heartbeat alone resets
        # every other field to its zero (a task history of 0 forgets a failed task at once).
        spec = dict(manager.swarm.attrs["Spec"])
        spec["Dispatcher"] = {**spec.get("Dispatcher", {}), "HeartbeatPeriod": int(heartbeat_s * 1e9)}
        manager.api.update_swarm(version=int(manager.swarm.attrs["Version"]["Index"]), swarm_spec=spec)
    except docker.errors.APIError as exc:
        raise ClusterError(f"The lent cluster refused the drill's heartbeat: {exc.explanation or exc}.") from exc
    return (
        f"lent cluster {cluster.cluster_id}: {len(cluster.nodes)} nodes, every one ready; heartbeat {heartbeat_s:g} s"
    )


def clear(cluster: ClusterState, drill_id: str) -> list[str]:
    """What the drill made on the cluster removed by its labels; the cluster as the drill found it."""
    try:
        return _clear(cluster, drill_id)
    except (docker.errors.DockerException, OSError) as exc:
        raise ClusterError(f"The lent cluster {cluster.cluster_id} could not be cleared of the drill: {exc}.") from exc


def _clear(cluster: ClusterState, drill_id: str) -> list[str]:
    for node in cluster.nodes:
        if not links.link_up(node.veth):
            links.set_link(node.veth, up=True)
    ours = labels.filter_for(drill_id)
    manager = daemons.client(local.manager(cluster), timeout_s=10)
    removed = [f"service {s.name}" for s in manager.services.list(filters=ours)]
    for service in manager.services.list(filters=ours):
        service.remove()  # type: ignore[no-untyped-call]
    engines = [daemons.client(node, timeout_s=10) for node in cluster.nodes]
    # A node that was cut off removes its old tasks' containers only once it has caught up with
    # the swarm (tens of seconds): they are the drill's, by their labels, and go now.
    _settle(
        "not all of the drill's tasks' containers were gone", lambda: not any(_removed(e, drill_id) for e in engines)
    )
    networks = [n.name for n in manager.networks.list(filters=ours)]
    _settle("not all of the drill's networks were removed", lambda: _removed_networks(manager, ours))
    removed += [f"network {name}" for name in networks]
    for node, engine in zip(cluster.nodes, engines, strict=True):
        for volume in engine.volumes.list(filters=ours):
            volume.remove(force=True)
            removed.append(f"volume {volume.name} on {node.name}")
    ready(cluster)
    return removed


def ready(cluster: ClusterState) -> None:
    """Every node ready, unchanged for `QUIET_S`, and a leader answering (a node that rejoined
    takes a heartbeat or two)."""
    _settle(f"not every node of the lent cluster was ready for {QUIET_S:g} s", lambda: quiet(local.nodes(cluster)))


def quiet(nodes: list[local.SwarmNode], now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return any(n.leader for n in nodes) and all(
        n.state == "ready" and (now - n.changed_at).total_seconds() >= QUIET_S for n in nodes
    )


def _removed_networks(manager: DockerClient, ours: dict[str, str | list[str] | bool]) -> bool:
    """Each of the drill's networks removed; False while one still has endpoints (tried again)."""
    for network in manager.networks.list(filters=ours):
        network.remove()
    return not manager.networks.list(filters=ours)


def _removed(engine: DockerClient, drill_id: str) -> list[str]:
    """The drill's containers on one node removed (killed first); those still there after."""
    for container in engine.containers.list(all=True, filters=labels.filter_for(drill_id)):
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)
    return [str(c.name) for c in engine.containers.list(all=True, filters=labels.filter_for(drill_id))]


def _settle(failure: str, done: Callable[[], bool]) -> None:
    local.until(SETTLE_S, lambda: True if done() else None, f"{failure}: the cluster cannot be lent to the next drill")
