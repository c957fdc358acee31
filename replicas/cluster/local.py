"""Forming a local swarm, filling it with images, and removing it from its state file.

`form` writes the state file before it makes anything and after each piece,
and removes what it made if it cannot finish; `remove` works from the state
file alone, in any state the cluster was left in, and can run twice.
"""

from __future__ import annotations

import contextlib
import ipaddress
import pathlib
import secrets
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

import docker.errors
from docker import DockerClient

from drillbook.errors import ClusterError
from drillbook.replicas import labels
from drillbook.replicas.cluster import daemons, links
from drillbook.replicas.cluster.state import ClusterState, Node

ADDRESS_POOL = "10.232.0.0/16"
"""Swarm's pool for its overlay networks, apart from the bridges' `links.POOL`."""
MAX_NODES = 5
SOCKET_PATH_MAX = 108
"""`sun_path`'s size on Linux, the terminating NUL included."""

T = TypeVar("T")


@dataclass(frozen=True)
class SwarmNode:
    """The swarm's own view of one node."""

    hostname: str
    state: str
    """`ready`, `down`, `unknown`."""
    manager: bool
    leader: bool
    changed_at: datetime
    """When the swarm last changed the node (its state, its role), by the manager's clock."""


def form(
    root: pathlib.Path,
    drill_id: str,
    nodes: int,
    managers: int | None = None,
    say: Callable[[str], object] = lambda _line: None,
    heartbeat_s: float | None = None,
    first_leader: str = "node1",
) -> ClusterState:
    """N daemons in namespaces of their own on one bridge, formed into a swarm.

    `heartbeat_s` is the dispatcher's heartbeat period (Swarm's default: 5 s); a manager
    marks a node down after about three periods without one, the bound a node-lost drill's
    detection cannot beat. `first_leader`, a manager, initialises the swarm; the others join it."""
    managers = nodes if managers is None else managers
    if not 1 <= nodes <= MAX_NODES or not 1 <= managers <= nodes:
        raise ClusterError(
            f"A local cluster has 1 to {MAX_NODES} nodes and 1 to that many managers; {nodes} nodes with "
            f"{managers} managers is not one. Set engine.nodes and engine.managers in the drill file."
        )
    if first_leader not in {f"node{i}" for i in range(1, managers + 1)}:
        raise ClusterError(
            f"The swarm cannot be formed on {first_leader}: the managers are node1 to node{managers}. "
            "Set engine.first_leader in the drill file to one of them."
        )
    cluster_id = secrets.token_hex(3)
    folder = root.absolute() / cluster_id
    deepest = folder / f"node{nodes}" / "exec" / "containerd" / "containerd.sock.ttrpc"
    if len(str(deepest)) >= SOCKET_PATH_MAX:
        raise ClusterError(
            f"The cluster folder {root} is too deep: its daemons' sockets ({deepest}) would pass the "
            f"{SOCKET_PATH_MAX - 1} characters a Unix socket's path can have. Give a shorter folder."
        )
    folder.mkdir(parents=True)
    started = time.monotonic()
    cluster = _bridged(cluster_id, drill_id, folder)
    try:
        links.allow_forwarding(cluster.bridge)
        for i in range(1, nodes + 1):
            cluster = _add_node(cluster, i, manager=i <= managers)
        engines = [daemons.wait_ready(n) for n in cluster.nodes]
        say(f"{nodes} daemons ready in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        _swarm(cluster, engines, heartbeat_s, first_leader)
        formed_s = time.monotonic() - started
        say(f"swarm of {managers} manager(s), {nodes - managers} worker(s) formed in {formed_s:.1f} s")
    except BaseException:
        remove(cluster)
        raise
    return cluster


def _add_node(cluster: ClusterState, i: int, manager: bool) -> ClusterState:
    """Node i's namespace, link and daemon, each named in the state file before it is made."""
    subnet = ipaddress.ip_network(cluster.subnet)
    gateway = subnet.network_address + 1
    node = Node(
        name=f"node{i}",
        netns=f"drillbook-{cluster.cluster_id}-{i}",
        veth=f"dbk{cluster.cluster_id}v{i}",
        address=str(subnet.network_address + 10 + i),
        folder=str(pathlib.Path(cluster.folder) / f"node{i}"),
        manager=manager,
    )
    cluster = replace(cluster, nodes=(*cluster.nodes, node))
    cluster.write()
    links.make_node_link(node.netns, node.veth, cluster.bridge, f"{node.address}/{subnet.prefixlen}", str(gateway))
    node = daemons.start(node, daemons.cgroup_parent(cluster.cluster_id, node))
    cluster = replace(cluster, nodes=(*cluster.nodes[:-1], node))
    cluster.write()
    return cluster


def _swarm(cluster: ClusterState, engines: list[DockerClient], heartbeat_s: float | None, first_leader: str) -> None:
    at = next(i for i, n in enumerate(cluster.nodes) if n.name == first_leader)
    leader, first = cluster.nodes[at], engines[at]
    others = [pair for i, pair in enumerate(zip(cluster.nodes, engines, strict=True)) if i != at]
    try:
        first.swarm.init(
            advertise_addr=leader.address,
            listen_addr=f"{leader.address}:2377",
            default_addr_pool=[ADDRESS_POOL],
            subnet_size=24,
            dispatcher_heartbeat_period=None if heartbeat_s is None else int(heartbeat_s * 1e9),
        )
        first.swarm.reload()
        tokens = first.swarm.attrs["JoinTokens"]
        for node, engine in others:
            engine.swarm.join(
                remote_addrs=[f"{leader.address}:2377"],
                join_token=tokens["Manager" if node.manager else "Worker"],
                advertise_addr=node.address,
                listen_addr=f"{node.address}:2377",
            )
    except docker.errors.APIError as exc:
        raise ClusterError(f"The local swarm could not be formed: {exc.explanation or exc}.") from exc


def manager(cluster: ClusterState, wait_s: float = 60.0) -> Node:
    """A manager that can answer for the swarm: running, not cut off, and with a leader to ask
    (while the managers left elect one after the leader's node was lost, none can: seconds)."""
    deadline = time.monotonic() + wait_s
    while True:
        for node in cluster.nodes:
            if not (node.manager and daemons.running(node) and links.link_up(node.veth)):
                continue
            with contextlib.suppress(docker.errors.DockerException, OSError):
                daemons.client(node, timeout_s=5).nodes.list()
                return node
        if time.monotonic() > deadline:
            raise ClusterError(f"No manager of the local cluster answered for the swarm within {wait_s:g} s.")
        time.sleep(0.5)


def node_named(cluster: ClusterState, name: str) -> Node:
    for node in cluster.nodes:
        if node.name == name:
            return node
    raise ClusterError(f"The local cluster has no node {name!r} (it has {', '.join(n.name for n in cluster.nodes)}).")


def nodes(cluster: ClusterState) -> list[SwarmNode]:
    """The swarm's view of its nodes, asked of the first manager that answers (not one cut off)."""
    for node in cluster.nodes:
        if not node.manager or not daemons.running(node) or not links.link_up(node.veth):
            continue
        try:
            listed = daemons.client(node, timeout_s=5).nodes.list()
        except (docker.errors.DockerException, OSError):
            continue
        return [
            SwarmNode(
                hostname=str(n.attrs["Description"]["Hostname"]),
                state=str(n.attrs["Status"]["State"]),
                manager="ManagerStatus" in n.attrs,
                leader=bool(n.attrs.get("ManagerStatus", {}).get("Leader")),
                changed_at=datetime.fromisoformat(str(n.attrs["UpdatedAt"])),
            )
            for n in listed
        ]
    raise ClusterError(f"No manager of the local cluster {cluster.cluster_id} answers.")


def _bridged(cluster_id: str, drill_id: str, folder: pathlib.Path) -> ClusterState:
    """The cluster's state file written and its bridge made on a subnet of its own."""
    with links.claimed_subnet() as subnet:
        cluster = ClusterState(
            cluster_id=cluster_id,
            drill_id=drill_id,
            owner=labels.owner(),
            bridge=f"dbk{cluster_id}",
            subnet=str(subnet),
            folder=str(folder),
        )
        cluster.write()
        try:
            links.make_bridge(cluster.bridge, f"{subnet.network_address + 1}/{subnet.prefixlen}")
        except BaseException:
            remove(cluster)
            raise
    return cluster


def distribute(
    cluster: ClusterState,
    host: DockerClient,
    images: Mapping[str, Collection[str]],
    say: Callable[[str], object],
) -> None:
    """Copy each image from the host's engine into the nodes named for it that lack it: `docker
    save` once into the cluster's folder, then `docker load` into those nodes at once. A node that
    holds the host's image already (a cluster lent to one drill after another) is skipped."""
    tarball = pathlib.Path(cluster.folder) / "image.tar"
    for image, names in sorted(images.items()):
        started = time.monotonic()
        wanted = [node for node in cluster.nodes if node.name in names]
        lacking = [node for node in wanted if not _holds(node, host, image)]
        if not lacking:
            say(f"image {image} already on {_nodes(wanted, cluster)}")
            continue
        try:
            with tarball.open("wb") as out:
                for chunk in host.api.get_image(image):
                    out.write(chunk)
        except docker.errors.APIError as exc:
            why = exc.explanation or exc
            raise ClusterError(f"Could not save image {image} from the host's engine: {why}.") from exc

        def load(node: Node, image: str = image) -> None:
            try:
                with tarball.open("rb") as given:
                    daemons.client(node, timeout_s=300).api.load_image(given)  # type: ignore[no-untyped-call]
            except docker.errors.APIError as exc:
                raise ClusterError(f"Could not load image {image} into {node.name}: {exc.explanation or exc}.") from exc

        try:
            with ThreadPoolExecutor(len(lacking), thread_name_prefix="drillbook-load") as pool:
                list(pool.map(load, lacking))
        finally:
            tarball.unlink(missing_ok=True)
        say(f"image {image} on {_nodes(lacking, cluster)} in {time.monotonic() - started:.1f} s")


def everywhere(cluster: ClusterState, images: list[str]) -> dict[str, set[str]]:
    """Each image for every node of the cluster, for `distribute`."""
    return {image: {n.name for n in cluster.nodes} for image in images}


def _nodes(nodes: list[Node], cluster: ClusterState) -> str:
    if len(nodes) == len(cluster.nodes):
        return f"all {len(nodes)} nodes"
    return " and ".join(n.name for n in nodes)


def _holds(node: Node, host: DockerClient, image: str) -> bool:
    """The node has the very image the host has under that name (same ID)."""
    try:
        return bool(daemons.client(node, timeout_s=10).images.get(image).id == host.images.get(image).id)
    except (docker.errors.DockerException, OSError):
        return False


def remove(cluster: ClusterState) -> list[str]:
    """Kill every daemon, delete every namespace, link and cgroup, and the folder; what was removed."""
    done = [f"daemon {node.name}" for node in cluster.nodes if daemons.running(node)]
    running = [node for node in cluster.nodes if daemons.running(node)]
    if running:  # the containers killed first: a daemon stopping them gives each its grace period
        with ThreadPoolExecutor(len(running), thread_name_prefix="drillbook-kill") as pool:
            list(pool.map(_kill_containers, running))
    for node in cluster.nodes:
        cgroup = daemons.cgroup_parent(cluster.cluster_id, node)
        daemons.kill(node, cgroup)
        daemons.remove_cgroups(cgroup)
        links.remove_netns(node.netns)
        links.remove_link(node.veth)
    links.remove_forwarding(cluster.bridge)
    links.remove_link(cluster.bridge)
    shutil.rmtree(cluster.folder, ignore_errors=True)
    if pathlib.Path(cluster.folder).exists():
        raise ClusterError(
            f"The local cluster's folder {cluster.folder} could not be removed; something still holds a mount "
            "in it (`grep drillbook /proc/mounts`)."
        )
    return [*done, f"{len(cluster.nodes)} namespace(s) and links", f"bridge {cluster.bridge} and its forwarding rule"]


def _kill_containers(node: Node) -> None:
    """SIGKILL to every container of the node's daemon: the cluster is being thrown away."""
    with contextlib.suppress(docker.errors.DockerException, OSError):
        for container in daemons.client(node, timeout_s=5).containers.list():
            with contextlib.suppress(docker.errors.DockerException, OSError):
                container.kill()


@contextmanager
def cluster(
    root: pathlib.Path,
    drill_id: str,
    nodes: int,
    managers: int | None = None,
    say: Callable[[str], object] = lambda _line: None,
    heartbeat_s: float | None = None,
    first_leader: str = "node1",
) -> Iterator[ClusterState]:
    """A cluster for the length of the block, removed at its end whatever happened."""
    formed = form(root, drill_id, nodes, managers, say, heartbeat_s, first_leader)
    try:
        yield formed
    finally:
        remove(formed)


def until(timeout_s: float, attempt: Callable[[], T | None], failure: str) -> T:
    """`attempt` until it gives a value, every 0.3 s; a manager between leaders (or a daemon that
    does not answer) is asked again. `failure` says what did not happen, for the error."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while True:
        try:
            found = attempt()
            if found is not None:
                return found
        except (docker.errors.DockerException, ClusterError, OSError) as exc:
            last = f" (last: {exc})"
        if time.monotonic() > deadline:
            raise ClusterError(f"Within {timeout_s:g} s {failure}{last}.")
        time.sleep(0.3)
