"""A target's service as a Swarm service, and the swarm's tasks read back.

Swarm takes a Compose service's parts under other names: `command` is the
image's entrypoint replaced, `args` its command; durations are nanoseconds;
ports are published on the task's own node (`mode: host`: no routing mesh
without IPVS) and found by DNS round robin (`dnsrr`: no service VIP).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import docker.errors
from docker import DockerClient
from docker.models.containers import Container
from docker.types import EndpointSpec, Healthcheck, Mount, NetworkAttachmentConfig, ServiceMode

from drillbook.errors import DrillbookError, ServiceNotReady
from drillbook.replicas import labels
from drillbook.replicas.cluster import deploys
from drillbook.replicas.desired_state import ServiceState
from drillbook.replicas.protocols import Task
from drillbook.replicas.target import Service, Target

NS = 1_000_000_000


@dataclass(frozen=True)
class Names:
    """The drill's names on the swarm: its networks and volumes, and its nodes."""

    drill_id: str
    nodes: tuple[str, ...] = ()

    def network(self, name: str = "default") -> str:
        own = f"drillbook-{self.drill_id}"
        return own if name == "default" else f"{own}-{name}"

    def volume(self, volume: str) -> str:
        return f"drillbook-{self.drill_id}-{volume}"


def placement(service: Service, target: Target, nodes: tuple[str, ...]) -> tuple[list[str], str]:
    """Where the service's tasks may go, and a line saying so.

    A service with volumes stays on the node its data is on: the database on the first, its
    standby on the second. A stateless one goes where Swarm's scheduler spreads it; its port,
    published on its node (`mode: host`), keeps two of its tasks off one node, so a task of a
    lost node can only move to a node that runs none."""
    node = pinned_to(service, target, nodes)
    if node is not None:
        return [f"node.hostname=={node}"], f"pinned to {node}, where its volume lives"
    return [], "spread by the swarm, one a node"


def pinned_to(service: Service, target: Target, nodes: tuple[str, ...]) -> str | None:
    """The one node a service with volumes runs on; None for one the scheduler places."""
    if not service.volumes:
        return None
    return nodes[1] if service.name == target.backups.standby and len(nodes) > 1 else nodes[0]


def image_nodes(
    target: Target, images: dict[str, str], extra: list[str], nodes: tuple[str, ...]
) -> dict[str, set[str]]:
    """Which nodes need which image: a pinned service's only its node (PostgreSQL's image, loaded
    into three nodes, was half of a drill's set-up), any other's and a fault's release every node,
    since the scheduler may place or move their tasks anywhere. `images` is each service's."""
    needs: dict[str, set[str]] = {image: set(nodes) for image in extra}
    for service in target.services:
        node = pinned_to(service, target, nodes)
        needs.setdefault(images[service.name], set()).update(set(nodes) if node is None else {node})
    return needs


def create(
    manager: DockerClient, service: Service, state: ServiceState, target: Target, names: Names, replicas: int
) -> str:
    """Create the service; says where its tasks go."""
    ports = {service.port: (service.port, "tcp", "host")} if service.port else None
    own = {**service.labels, **labels.for_drill(names.drill_id, service.name)}  # the drill's win
    constraints, where = placement(service, target, names.nodes)
    manager.services.create(  # type: ignore[no-untyped-call]
        state.image,
        name=service.name,
        command=list(service.entrypoint) if service.entrypoint is not None else None,
        args=list(service.command) if service.command else None,
        env=[f"{k}={v}" for k, v in state.container_env().items()],
        labels=own,
        container_labels=own,
        networks=attachments(service, names),
        endpoint_spec=EndpointSpec(mode="dnsrr", ports=ports),  # type: ignore[arg-type]
        mode=ServiceMode("replicated", replicas=replicas),
        constraints=constraints,
        mounts=_mounts(service, names),
        resources=deploys.resources(service, state),
        update_config=deploys.UPDATE,
        rollback_config=deploys.ROLLBACK,
        healthcheck=_healthcheck(service),
        user=service.user,
        workdir=service.working_dir,
    )
    return f"{replicas} task(s), {where}"


def attachments(service: Service, names: Names, *more: str) -> list[NetworkAttachmentConfig]:
    """The service on each of its networks under its names (and `more`: a name it takes over)."""
    aliases = list(dict.fromkeys([service.host, *service.aliases, *more]))
    return [NetworkAttachmentConfig(names.network(n), aliases=aliases) for n in service.networks]


def _mounts(service: Service, names: Names) -> list[Mount]:
    volumes = [
        Mount(path, names.volume(v), type="volume", labels=labels.for_drill(names.drill_id, service.name))
        for v, path in service.volumes.items()
    ]
    return volumes + [Mount(b.target, b.source, type="bind", read_only=b.read_only) for b in service.binds]


def _healthcheck(service: Service) -> Healthcheck | None:
    check = service.healthcheck
    if check is None:
        return None
    return Healthcheck(
        test=list(check.test),
        interval=int(check.interval_s * NS),
        timeout=int(check.timeout_s * NS),
        retries=check.retries,
        start_period=int(check.start_period_s * NS),
    )


def tasks(manager: DockerClient, service: str | None = None) -> list[Task]:
    """Every task of the service (or of all), with its node's hostname, running ones first."""
    hostnames = {n.id: str(n.attrs["Description"]["Hostname"]) for n in manager.nodes.list()}
    names = {s.id: str(s.name) for s in manager.services.list()}
    raw = manager.api.tasks(filters={"service": service} if service else {})  # type: ignore[no-untyped-call]
    found = []
    for task in raw:
        status = task.get("Status", {})
        found.append(
            Task(
                id=str(task.get("ID", "")),
                service=names.get(task.get("ServiceID", ""), "?"),
                slot=int(task.get("Slot") or 0),
                node=hostnames.get(task.get("NodeID", ""), "?"),
                state=str(status.get("State", "?")),
                desired=str(task.get("DesiredState", "?")),
                container_id=(status.get("ContainerStatus") or {}).get("ContainerID"),
                error=str(status.get("Err") or ""),
                at=_epoch(status.get("Timestamp")),
            )
        )
    return sorted(found, key=lambda t: (t.service, t.slot, t.state != "running"))


def _epoch(stamp: object) -> float | None:
    """The swarm's RFC 3339 time (nanoseconds: cut to the microseconds Python reads) in epoch seconds."""
    if not isinstance(stamp, str) or not stamp:
        return None
    head, _, frac = stamp.rstrip("Z").partition(".")
    try:
        return datetime.fromisoformat(f"{head}.{(frac or '0')[:6]}+00:00").timestamp()
    except ValueError:
        return None


def settled(tasks: Callable[[], list[Task]], wanted: dict[str, int], timeout_s: float, still_s: float = 1.0) -> None:
    """Until every service runs as many tasks as `wanted`, the same ones for `still_s`: one replica
    answering is not the stack a drill is about (its other task crash-looping on its node)."""
    deadline = time.monotonic() + timeout_s
    last: frozenset[str] = frozenset()
    while True:
        seen = tasks()
        running = [t for t in seen if t.state == "running" and t.desired == "running"]
        short = [name for name, n in wanted.items() if sum(t.service == name for t in running) < n]
        now = frozenset(t.id for t in running)
        if not short and now == last:
            return
        if time.monotonic() > deadline:
            failed = [f"{t.service}.{t.slot} on {t.node}: {t.error}" for t in seen if t.state == "failed"]
            said = f" ({'; '.join(failed[:3])})" if failed else ""
            raise ServiceNotReady(
                f"The swarm did not run every task of {', '.join(short) or 'the stack'} within {timeout_s:g} s{said}.",
                short[0] if short else next(iter(wanted)),
                failed[0] if failed else "tasks not running",
            )
        last = frozenset() if short else now
        time.sleep(still_s)


def wait_answering(name: str, answers: Callable[[], bool], errors: Callable[[], list[str]], timeout_s: float) -> float:
    """Until `answers()` (a real request to the service on 127.0.0.1); the seconds waited. Not
    answering in time is `ServiceNotReady`, with the first failed task's error as the reason."""
    started = time.monotonic()
    while not answers():
        if time.monotonic() - started > timeout_s:
            failed = errors()
            reason = failed[0] if failed else f"no task answered within {timeout_s:g} s"
            raise ServiceNotReady(f"Swarm service {name!r} did not become ready: {reason}.", name, reason)
        time.sleep(0.1)
    return time.monotonic() - started


def last_words(engine: Callable[[], DockerClient], task: Task) -> str:
    """The last lines a task's container wrote, on one line; "" when it left none (or its node's
    engine, got by `engine`, does not answer)."""
    if task.container_id is None:
        return ""
    try:
        text = bytes(engine().containers.get(task.container_id).logs(tail=3)).decode(errors="replace")
    except (docker.errors.DockerException, OSError, DrillbookError):
        return ""
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())[-300:]


def stats(container: Container) -> dict[str, Any] | None:
    """One sample of a task's container's stats (memory, CPU); None when its engine does not answer."""
    try:
        found = container.stats(stream=False, one_shot=True)
    except (docker.errors.DockerException, OSError):
        return None
    return found if isinstance(found, dict) else None
