"""What a drill runs against: the services of a stack and how to talk to them.

The sample service is only the default target; a team describes its own stack
with the same fields (images, environment, health endpoint, key flows, its
locustfile and the SQL that finds an acknowledged write). Nothing above this
floor may assume the sample's paths or schema: they come from here.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ReadyKind = Literal["postgres", "http", "running", "healthcheck"]


@dataclass(frozen=True)
class ReadyCheck:
    """How to know a service answers: a real query or request, never a log line; or, for a
    service whose Compose file says how, its own health check (`healthcheck`)."""

    kind: ReadyKind
    path: str = "/"


@dataclass(frozen=True)
class HealthCheck:
    """A Compose `healthcheck`, as the engine runs it in the container."""

    test: tuple[str, ...]
    """Docker's form: `CMD` and its arguments, or `CMD-SHELL` and a command line."""
    interval_s: float = 30.0
    timeout_s: float = 30.0
    retries: int = 3
    start_period_s: float = 0.0


@dataclass(frozen=True)
class Bind:
    """A file or folder of the project mounted into the container (an init SQL file)."""

    source: str
    """Absolute, inside the Compose project's folder."""
    target: str
    read_only: bool = False


@dataclass(frozen=True)
class Build:
    """How to build a service's image from the team's own Dockerfile (Compose `build:`)."""

    context: pathlib.Path
    dockerfile: str = "Dockerfile"
    args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None


@dataclass(frozen=True)
class Service:
    name: str
    image: str
    port: int
    ready: ReadyCheck
    env: Mapping[str, str] = field(default_factory=dict)
    mem_limit: str | None = None
    cpus: float | None = None
    """CPU limit in cores (docker --cpus); None: no limit."""
    restart: Literal["no", "on-failure", "always", "unless-stopped"] = "no"
    """The engine's restart policy: with `on-failure` a service that cannot start crash-loops."""
    volumes: Mapping[str, str] = field(default_factory=dict)
    volume_sizes: Mapping[str, int] = field(default_factory=dict)
    """Bytes, for volumes that are a filesystem of their own (a disk that can fill up)."""
    command: tuple[str, ...] | None = None
    flags: Mapping[str, bool] = field(default_factory=dict)
    """The feature flags the service knows, with their defaults."""
    alias: str | None = None
    """Its host name on the replica's network; None: its name. A service behind a fault
    proxy gives its name to the proxy and answers to `<name>-upstream`."""
    aliases: tuple[str, ...] = ()
    """More names it answers to on its networks (Compose `networks.*.aliases`)."""
    networks: tuple[str, ...] = ("default",)
    """The Compose networks it joins; each is a network of the drill's own, labelled."""
    entrypoint: tuple[str, ...] | None = None
    binds: tuple[Bind, ...] = ()
    healthcheck: HealthCheck | None = None
    depends_on: Mapping[str, str] = field(default_factory=dict)
    """Service -> Compose condition (`service_started`, `service_healthy`): started after them."""
    labels: Mapping[str, str] = field(default_factory=dict)
    user: str | None = None
    working_dir: str | None = None

    @property
    def host(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class Database:
    """The target's PostgreSQL: the data check and database probes use it."""

    service: str
    user: str
    password: str
    dbname: str


@dataclass(frozen=True)
class Flow:
    """A request a user makes; key flows are probed, write flows fill the ledger."""

    name: str
    path: str
    method: str = "GET"
    body: str | None = None
    """The request's JSON body, as JSON text (a probe of a search that is a POST)."""


@dataclass(frozen=True)
class WriteFlow:
    """A locust request name whose 2xx answers are acknowledged writes.

    `id_field` is the path of the new record's id in the JSON answer, dotted
    for a nested one (`run.info.run_id`); `fields` are the payload keys the data
    check compares, normalised (docs/design.md, "The data check").
    """

    name: str
    id_field: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Stream:
    """A WebSocket stream the load's clients hold open (a live map, a chat, a ticker).

    Its outage is measured apart from the HTTP downtime: how long clients were
    disconnected, and how many reconnected."""

    service: str
    path: str
    clients: int = 4
    silence_s: float = 1.0
    """A connection silent this long is counted dead (the stream pushes more often than that)."""


@dataclass(frozen=True)
class Backups:
    """What the drill backs up in the replica (see `replicas.backups`)."""

    dump_interval_s: float | None = None
    wal_archive: bool = False
    standby: str | None = None
    """The standby's service name."""
    standby_mode: Literal["async", "sync"] | None = None
    service: str | None = None
    """drillbook's backup service: dumps, the base backup, and where to run backup tools."""
    path: str = "/backups"
    """Where the backup volume is mounted (dumps/, base/, wal/)."""


@dataclass(frozen=True)
class Target:
    name: str
    services: tuple[Service, ...]
    app: str
    database: Database
    health: str
    key_flows: tuple[Flow, ...]
    locustfile: pathlib.Path
    write_flows: tuple[WriteFlow, ...]
    data_check_sql: str
    reset_connections: Flow | None = None
    metrics: str | None = None
    """The service's metrics endpoint, read into the diagnostics snapshot."""
    desired_state_repo: str | None = None
    """The team's desired-state repository (path or URL); None: drillbook creates one per drill."""
    backups: Backups = Backups()
    deploy: Literal["recreate", "rolling"] = "recreate"
    """How a changed service is replaced: `recreate` stops the old container, then starts the
    new one (`docker compose up`); `rolling` starts the new one beside the old and moves the
    traffic once it is ready (Swarm's and Kubernetes' rolling update)."""
    continuity: tuple[tuple[str, str | None], ...] = ()
    """The runbook's essential services in priority order, each with the flow
    (probe or locust request name) that exercises it, or None if none does."""
    builds: Mapping[str, Build] = field(default_factory=dict)
    """Image tag -> how to build it, for services the team's Compose file builds."""
    source: tuple[str, ...] = ()
    """The files the target was read from (its Compose files), for the record."""
    ignored: tuple[str, ...] = ()
    """Compose keys that change nothing on a replica, each with why: said once, by `validate`."""
    hosts: Mapping[str, str] = field(default_factory=dict)
    """The runbook's production host names -> the service answering for each in the replica."""
    internal: frozenset[str] = frozenset()
    """Networks with no way out (the toolbox's): internal, and no address of the host on them."""
    stream: Stream | None = None
    """The WebSocket stream the load holds open too; None: HTTP only."""

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    @property
    def networks(self) -> tuple[str, ...]:
        """Every network a service joins, each created for the drill."""
        return tuple(dict.fromkeys(n for s in self.services for n in s.networks))

    @property
    def images(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.image for s in self.services))


def start_order(services: tuple[Service, ...]) -> list[Service]:
    """The services with each after what it `depends_on` (the target's order otherwise)."""
    by_name = {s.name: s for s in services}
    ordered: list[Service] = []
    visiting: set[str] = set()

    def visit(service: Service) -> None:
        if service in ordered:
            return
        if service.name in visiting:
            raise ValueError(f"service {service.name!r} depends on itself through depends_on")
        visiting.add(service.name)
        for needed in service.depends_on:
            if needed in by_name:
                visit(by_name[needed])
        visiting.discard(service.name)
        ordered.append(service)

    for service in services:
        visit(service)
    return ordered
