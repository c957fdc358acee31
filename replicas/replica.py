"""A running replica of the target's stack: containers, a network, volumes.

Every object is created with the drill's labels, found again only by them, and
removed by `teardown`, which is idempotent and safe to call in any state.
Ports are published on 127.0.0.1 only, and chosen up front so they stay the
same when a container restarts.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import docker.errors
import httpx
from docker import DockerClient

from drillbook.contract import EventKind
from drillbook.errors import EngineError, ReplicaError, ServiceNotReady
from drillbook.replicas import backups, boundary, desired_state, labels, loopback, postgres, starting
from drillbook.replicas.cleanup import remove_drill_objects
from drillbook.replicas.containers import EventSink, LabelledContainers
from drillbook.replicas.desired_state import Commit, DesiredState, ServiceState
from drillbook.replicas.forwarder import Forwarder
from drillbook.replicas.ports import HeldPorts
from drillbook.replicas.protocols import Replacement
from drillbook.replicas.target import Service, Target, start_order


class Replica(LabelledContainers):
    def __init__(
        self,
        client: DockerClient,
        target: Target,
        drill_id: str,
        on_event: EventSink = lambda _kind, _detail: None,
        desired: DesiredState | None = None,
    ) -> None:
        super().__init__(client, drill_id, on_event)
        self.target = target
        self.desired = desired
        self.applied: dict[str, ServiceState] = {}
        self.held = HeldPorts()
        """Every host port this replica chose, kept from any other process until teardown."""
        self.ports: dict[str, int] = {s.name: self.held.take() for s in target.services}
        """The address of each service for the drill (load, probes, checks): a forwarder's port
        for a service deployed by rolling update, the container's own otherwise."""
        self.published: dict[str, int] = {}
        """The host port a rolled service's current container publishes, behind its forwarder."""
        self.forwarders: dict[str, Forwarder] = {}
        self.replacements: list[Replacement] = []
        self.database_service = target.database.service
        """The service that answers for the database: another one after a failover."""

    # --- naming -------------------------------------------------------------

    def url(self, service: str | None = None) -> str:
        return f"http://127.0.0.1:{self.ports[service or self.target.app]}"

    @property
    def db_port(self) -> int:
        return self.ports[self.database_service]

    def db_conninfo(self, timeout_s: float = 2.0) -> str:
        return postgres.conninfo(self.target.database, self.db_port, timeout_s)

    # --- lifecycle ----------------------------------------------------------

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.teardown()

    def start(self, ready_timeout_s: float = 120.0) -> None:
        """Create the network, volumes and containers, then wait until each answers.

        The containers start two at a time (`starting`), each after what the Compose
        file says it `depends_on` (once that is healthy, for `condition:
        service_healthy`); a service that needs another waits for it by itself after
        any restart.
        """
        try:
            for net in self.target.networks:
                closed = net in self.target.internal  # no route out, no host address on its bridge
                self.client.networks.create(
                    self.network_of(net),
                    driver="bridge",
                    labels=labels.for_drill(self.drill_id),
                    internal=closed,
                    options={"com.docker.network.bridge.inhibit_ipv4": "true"} if closed else None,
                )
            for service in self.target.services:
                if self.rolls(service):
                    self.published[service.name] = self.held.take()
                    self.forwarders[service.name] = Forwarder(self.ports[service.name], self.published[service.name])
                    self.forwarders[service.name].start()
            self._start_services(self.desired_states(), ready_timeout_s)
            for service in self.target.services:
                self.wait_ready(service.name, ready_timeout_s)
        except docker.errors.APIError as exc:
            raise EngineError(
                f"The Docker engine refused to create the replica: {exc.explanation or exc}. "
                "Check `docker info` and free disk space, then run the drill again."
            ) from exc

    def _start_services(self, states: dict[str, ServiceState], ready_timeout_s: float) -> None:
        order = start_order(self.target.services)
        for service in order:  # first, one at a time: services share volumes (the backups)
            for volume in service.volumes:
                self._create_volume(service, volume)
        starting.in_order(
            order, lambda s: self._run(s, states[s.name]), lambda name: self.wait_ready(name, ready_timeout_s)
        )

    def desired_states(self) -> dict[str, ServiceState]:
        """What the desired-state repository's HEAD says, or the target itself without one."""
        if self.desired is not None:
            return self.desired.read()
        return {
            s.name: ServiceState(image=s.image, env=dict(s.env), flags=dict(s.flags), mem_limit=s.mem_limit)
            for s in self.target.services
        }

    def require_desired(self) -> DesiredState:
        return desired_state.require(self.desired)

    def commit(self, change: Callable[[dict[str, Any]], None], message: str) -> Commit:
        return desired_state.commit_said(self.desired, self._on_event, change, message)

    def revert(self, commit: Commit) -> Commit:
        return desired_state.revert_said(self.desired, self._on_event, commit)

    def rolls(self, service: Service) -> bool:
        """Is `service` replaced by a rolling update? Only a stateless HTTP service is: two
        containers on one data volume (a database) would corrupt it."""
        return self.target.deploy == "rolling" and service.ready.kind == "http" and not service.volumes

    def reconcile(
        self, ready_timeout_s: float = 120.0, *, wait: bool = True, not_ready_is_fault: bool = False
    ) -> list[str]:
        """Bring the containers to what HEAD says, replacing only the services that changed.

        A recreate stops the old container and starts the new one on the same port and
        volumes, which must answer before reconcile returns; a rolling update (`rolls`)
        starts it beside the old one and moves the traffic once it answers. A new container
        that exits or never answers raises `ServiceNotReady`, unless `not_ready_is_fault`
        (a deploy, whose broken release is the fault being drilled): then it is recorded
        and left as it is, as a deploy tool would leave it.
        """
        states = self.desired_states()
        head = self.desired.head().short if self.desired is not None else "target"
        changed = [s for s in self.target.services if states[s.name] != self.applied.get(s.name)]
        for service in changed:
            state = states[service.name]
            if self.rolls(service) and wait:
                self._roll(service, state, head, ready_timeout_s, not_ready_is_fault)
                continue
            stopped = time.monotonic()
            with contextlib.suppress(docker.errors.NotFound, ReplicaError):
                self.container(service.name).remove(force=True, v=True)
            self._run(service, state)
            if not wait:
                self._on_event(EventKind.RECONCILE, f"{service.name} recreated from {head}, not waiting for it")
                continue
            try:
                waited = self.wait_ready(service.name, ready_timeout_s)
            except ServiceNotReady as exc:
                self.replacements.append(Replacement(service.name, "recreate", state.image, stopped, None, exc.reason))
                if not not_ready_is_fault:
                    raise
                self._on_event(
                    EventKind.RECONCILE, f"{service.name} on {state.image} as of {head} did not start: {exc.reason}"
                )
                continue
            self.replacements.append(
                Replacement(service.name, "recreate", state.image, stopped, time.monotonic(), "ready")
            )
            self._on_event(
                EventKind.RECONCILE,
                f"{service.name} now runs {state.image} as of {head} (recreated: stopped, then started; "
                f"ready in {waited:.2f} s)",
            )
        if not changed:
            self._on_event(EventKind.RECONCILE, f"nothing to change at {head}")
        return [s.name for s in changed]

    def _roll(
        self, service: Service, state: ServiceState, head: str, timeout_s: float, not_ready_is_fault: bool
    ) -> None:
        """Start the new container beside the old; once it answers on its own port, move traffic, remove the old."""
        canonical = self.container_name(service.name)
        port = self.held.take()
        name = f"{canonical}-next-{secrets.token_hex(2)}"
        self._create(service, state, name=name, port=port)
        started = time.monotonic()
        try:
            self._wait_answers(service, name, lambda: self._answers(service, port), timeout_s)
            ready = time.monotonic()
        except ServiceNotReady as exc:
            self.replacements.append(Replacement(service.name, "rolling", state.image, None, None, exc.reason))
            with contextlib.suppress(docker.errors.APIError):
                self.client.containers.get(name).remove(force=True, v=True)
            self.held.drop(port)
            if not not_ready_is_fault:
                raise
            self._on_event(
                EventKind.RECONCILE,
                f"{service.name} on {state.image} as of {head} never became ready ({exc.reason}); the rolling "
                "update halted and traffic stays on the running container",
            )
            return
        busy = self.forwarders[service.name].switch(port)
        old_port, self.published[service.name] = self.published[service.name], port
        with contextlib.suppress(docker.errors.NotFound, ReplicaError):
            self.container(service.name).remove(force=True, v=True)
        self.held.drop(old_port)
        self.client.containers.get(name).rename(canonical)
        self.applied[service.name] = state
        self.replacements.append(Replacement(service.name, "rolling", state.image, None, ready, "ready"))
        cut = f", {busy} busy connection(s) cut" if busy else ""
        self._on_event(
            EventKind.RECONCILE,
            f"{service.name} now runs {state.image} as of {head} (rolling: ready beside the old container in "
            f"{ready - started:.2f} s, traffic moved{cut})",
        )

    def _run(self, service: Service, state: ServiceState) -> None:
        self._create(service, state)
        self.applied[service.name] = state

    def _create(
        self,
        service: Service,
        state: ServiceState,
        *,
        start: bool = True,
        name: str | None = None,
        port: int | None = None,
    ) -> None:
        host_port = port or self.published.get(service.name) or self.ports[service.name]
        name = name or self.container_name(service.name)
        first, *more = service.networks
        settings = self._settings(service, state, name, host_port, self.network_of(first))
        container = self.client.containers.create(state.image, **settings)
        for net in more:  # on every network before it starts: it may look for a service there at once
            self.network(net).connect(container, aliases=self._aliases(service))
        if not start:
            self._on_event(
                EventKind.CONTAINER, f"created {service.name} ({state.image}) as {container.short_id}, not started"
            )
            return
        container.start()
        self._on_event(EventKind.CONTAINER, f"started {service.name} ({state.image}) as {container.short_id}")

    @staticmethod
    def _aliases(service: Service) -> list[str]:
        return list(dict.fromkeys([service.host, *service.aliases]))

    def wait_ready(self, service_name: str, timeout_s: float = 120.0) -> float:
        """Block until the service answers a real request; return the seconds waited."""
        service = self.target.service(service_name)
        port = self.published.get(service_name, self.ports[service_name])
        answers = functools.partial(self._answers, service, port)
        return self._wait_answers(service, self.container_name(service_name), answers, timeout_s)

    def _answers(self, service: Service, port: int | None = None) -> bool:
        port = port or self.ports[service.name]
        if service.ready.kind == "postgres":
            return postgres.answers(self.target.database, port, timeout_s=2.0)
        if service.ready.kind == "http":
            try:
                response = loopback.get(f"http://127.0.0.1:{port}{service.ready.path}", timeout=2.0)
            except httpx.HTTPError:
                return False
            return response.status_code == 200
        return True

    # --- what faults and procedures do to a container -------------------------

    @boundary.mapped()
    def connected(self, service: str) -> bool:
        """On every one of its networks (a partition cuts it off them all)."""
        container = self.container(service)
        container.reload()
        joined = container.attrs.get("NetworkSettings", {}).get("Networks") or {}
        return all(self.network_of(net) in joined for net in self.target.service(service).networks)

    @boundary.mapped()
    def disconnect(self, service: str) -> None:
        """Cut the service off the replica's network: the others can no longer reach it."""
        for net in self.target.service(service).networks:
            self.network(net).disconnect(self.container(service))

    @boundary.mapped()
    def connect(self, service: str) -> None:
        """Back on the replica's network, under its host name again."""
        spec = self.target.service(service)
        for net in spec.networks:
            self.network(net).connect(self.container(service), aliases=self._aliases(spec))

    # --- what disaster recovery does to the database ---------------------------

    @boundary.mapped()
    def serve_database(self, service: str) -> None:
        """Failover: `service` answers for the database from now on, under the database's
        host name on the replica's network (what a floating address or DNS change does)
        and for drillbook's own checks. The old primary, if it still exists, leaves the
        network: it must not take writes again."""
        db = self.target.service(self.target.database.service)
        container = self.container(service)
        aliases = list(dict.fromkeys([self.target.service(service).host, db.host]))
        for net in db.networks:
            network = self.network(net)
            if service != db.name:
                with contextlib.suppress(docker.errors.APIError, ReplicaError):
                    network.disconnect(self.container(db.name), force=True)
            with contextlib.suppress(docker.errors.APIError):
                network.disconnect(container, force=True)
            network.connect(container, aliases=aliases)
        self.database_service = service
        self._on_event(EventKind.FAILOVER, f"{service} now answers as {db.host!r}")

    @boundary.mapped()
    def remove_service(self, service: str) -> list[str]:
        """The service's container and volumes gone for good (a lost host); the volume names removed."""
        with contextlib.suppress(ReplicaError):
            self.container(service).remove(force=True, v=True)
        gone = []
        for volume in self.target.service(service).volumes:
            if volume == backups.VOLUME:
                continue  # backups live elsewhere: losing the host does not lose them
            try:
                found = self.client.volumes.get(self.volume_name(volume))
            except docker.errors.NotFound:
                continue
            if labels.belongs_to(found.attrs.get("Labels"), self.drill_id):
                found.remove(force=True)
                gone.append(found.name or volume)
        return gone

    @boundary.mapped()
    def recreate(self, service: str, ready_timeout_s: float = 120.0, *, start: bool = True) -> float:
        """A service whose container (and volumes) are gone, created again from the desired
        state on new, empty volumes; the seconds until it answered (0 when not started: a
        restore fills the volume first)."""
        spec = self.target.service(service)
        for volume in spec.volumes:
            try:
                self.client.volumes.get(self.volume_name(volume))
            except docker.errors.NotFound:
                self._create_volume(spec, volume)
        state = self.desired_states()[service]
        if not start:
            self._create(spec, state, start=False)
            self.applied[service] = state
            return 0.0
        self._run(spec, state)
        return self.wait_ready(service, ready_timeout_s)

    @boundary.mapped()
    def run_once(self, service: str, command: list[str], timeout_s: float = 900.0) -> tuple[int, str]:
        """A one-off container of `service`'s image with its volumes, on its network, carrying the
        drill's labels: a restore into a stopped database's volume. Removed after."""
        return self._once(self.target.service(service), command, timeout_s)

    # --- teardown -----------------------------------------------------------

    def teardown(self) -> None:
        """Remove every object carrying this drill's labels; safe to repeat."""
        for forwarder in self.forwarders.values():
            forwarder.stop()
        remove_drill_objects(self.client, self.drill_id)
        self.held.close()
        self._on_event(EventKind.TEARDOWN, f"removed the replica's containers, network and volumes ({self.drill_id})")
