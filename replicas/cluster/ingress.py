"""The harness's one address for a service on the cluster: 127.0.0.1, balanced over its tasks.

Load and probes only ever target 127.0.0.1. Each task of the service publishes
its port on its own node (`mode: host`: this kernel has no IPVS, so there is no
routing mesh), and the balancer hands each new connection, on a thread of its
own, to the next running task in turn, among those on a node whose link is up
and that the swarm has not marked down; when that one refuses or does not answer
within a second (it has just died, and the swarm has not yet noticed), to the one
after it, and the silent one is passed over for `fail_s` (nginx's `max_fails=1
fail_timeout`), as a load balancer in front of replicas does. So one replica's
crash is hidden by the others, and what users would see is measured. The tasks
are read from a manager every `refresh_s`: the balancer follows them as the
swarm moves them between nodes, and a connection whose task leaves that list
(its node marked down, the task stopped) is closed, as a routing mesh drops
the connections to a task it no longer routes to: a client holding a
keep-alive connection to a task on a node whose daemon died would otherwise
stay with it, served by a task cut off from the rest of the stack.
"""

from __future__ import annotations

import contextlib
import itertools
import select
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

import docker.errors

from drillbook.errors import ClusterError
from drillbook.replicas.cluster import daemons, links
from drillbook.replicas.cluster.state import ClusterState

Address = tuple[str, int]
CHUNK = 65536


def running_tasks(cluster: ClusterState, service: str, port: int) -> list[Address]:
    """(node address, published port) of each running task of `service` that publishes `port`,
    on a node whose link is up and that the swarm has not marked down.

    A task on a node cut off stays `running` in the swarm's view until the node is marked
    down (three heartbeats after a new leader is elected): handing it connections meanwhile
    makes every new connection wait a second for nothing, and a node whose link is down has no
    route of its own, so its address would leave by the default route. A node `unknown` is
    kept: a new leader calls every node that until it re-registers. The port comes from
    the service's spec (`mode: host`: each task publishes it on its own node), not from the
    task's `PortStatus`, which a new leader leaves empty for the tasks that were running when
    the old one was lost."""
    cut = {node.address for node in cluster.nodes if not links.link_up(node.veth)}
    for node in cluster.nodes:
        if not node.manager or not daemons.running(node) or node.address in cut:
            continue
        try:
            engine = daemons.client(node, timeout_s=5)
            addresses = {
                n.id: n.attrs["Status"]["Addr"] for n in engine.nodes.list() if n.attrs["Status"]["State"] != "down"
            }
            spec = engine.api.inspect_service(service)["Spec"]  # type: ignore[no-untyped-call]
            tasks = engine.api.tasks(filters={"service": service, "desired-state": "running"})  # type: ignore[no-untyped-call]
        except (docker.errors.DockerException, OSError):
            continue
        published = [
            int(p["PublishedPort"])
            for p in (spec.get("EndpointSpec") or {}).get("Ports") or []
            if p.get("TargetPort") == port and p.get("PublishMode") == "host" and p.get("PublishedPort")
        ]
        found = {
            (addresses[task["NodeID"]], published[0])
            for task in tasks
            if published
            and task["Status"]["State"] == "running"
            and task.get("NodeID") in addresses
            and addresses[task["NodeID"]] not in cut
        }
        return sorted(found)
    # No manager answered (one was just cut off, the others elect a leader): the balancer keeps
    # the tasks it knew rather than drop them all.
    raise ClusterError(f"No manager of the local cluster {cluster.cluster_id} listed the tasks of {service!r}.")


class Balancer:
    def __init__(
        self,
        upstreams: Callable[[], list[Address]],
        refresh_s: float = 0.5,
        fail_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = upstreams
        self._refresh_s = refresh_s
        self._fail_s = fail_s
        self._clock = clock
        """What `fail_s` is counted on (a test's own clock, which a busy machine cannot outrun)."""
        self._failed: dict[Address, float] = {}
        """An upstream that did not take a connection -> until when it is passed over."""
        self.upstreams: list[Address] = []
        self._turn = itertools.count()
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._threads = [
            threading.Thread(target=self._accept, name=f"drillbook-balance-{self.port}", daemon=True),
            threading.Thread(target=self._follow, name=f"drillbook-tasks-{self.port}", daemon=True),
        ]

    def __enter__(self) -> Self:
        self.start()
        return self

    def start(self) -> None:
        """Read the tasks and serve; the port was bound already (the load is told it first)."""
        with contextlib.suppress(Exception):  # no manager answers yet: the follower reads them
            self.upstreams = self._read()
        for thread in self._threads:
            thread.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Idempotent: the listening socket closed and no connection accepted any more. The
        follower ends after the read it may be in (a manager slow to answer): nothing waits for it."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._server.close()
        accept = self._threads[0]
        if accept.is_alive():
            accept.join(timeout=2.0)

    def _follow(self) -> None:
        while not self._stop.wait(self._refresh_s):
            with contextlib.suppress(Exception):  # a manager that does not answer: keep the last list
                self.upstreams = self._read()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        """One connection, on its own thread: a task that takes a second not to answer delays
        this connection only, never the next one accepted."""
        connected = self._connect()
        if connected is None:
            client.close()  # no task answers: the client sees its connection closed
            return
        upstream, address = connected
        _relay(client, upstream, lambda: self._stop.is_set() or address not in self.upstreams)

    def _connect(self) -> tuple[socket.socket, Address] | None:
        """The next task in turn that accepts the connection."""
        now = self._clock()
        healthy = [u for u in self.upstreams if self._failed.get(u, 0.0) <= now]
        candidates = healthy or list(self.upstreams)  # all passed over: try them all the same
        if not candidates:
            return None
        first = next(self._turn)
        for i in range(len(candidates)):
            chosen = candidates[(first + i) % len(candidates)]
            try:
                upstream = socket.create_connection(chosen, timeout=1.0)
            except OSError:
                self._failed[chosen] = self._clock() + self._fail_s
                continue
            upstream.settimeout(None)
            return upstream, chosen
        return None


def _relay(client: socket.socket, upstream: socket.socket, ended: Callable[[], bool]) -> None:
    """Bytes both ways until either side closes, or `ended()` (the balancer stopped, the task no
    longer routed to): then both are closed."""
    pair = [client, upstream]
    try:
        while not ended():
            readable, _, _ = select.select(pair, [], [], 0.2)
            for sock in readable:
                data = sock.recv(CHUNK)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
    except (OSError, ValueError):
        return
    finally:
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.close()
