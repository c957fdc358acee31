"""A drill's containers, found only by the drill's labels, and what an operator does to them.

The replica (`replicas/replica.py`) builds on these; every operation maps the
engine's errors to drillbook's (`replicas/boundary.py`), and a container
without the drill's labels is never touched.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import tarfile
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import docker.errors
import requests
from docker import DockerClient
from docker.models.containers import Container
from docker.models.networks import Network

from drillbook.contract import EventKind
from drillbook.errors import ReplicaError, ServiceNotReady
from drillbook.replicas import boundary, cgroups, disks, labels, priority
from drillbook.replicas.desired_state import ServiceState
from drillbook.replicas.protocols import Terminal
from drillbook.replicas.target import Service

EventSink = Callable[[EventKind, str], object]
FREEZE_ATTEMPTS = 3


def put_files(container: Container, folder: str, files: Mapping[str, bytes], private: Collection[str] = ()) -> None:
    """Files into a container that has not started yet (never onto the host's disk); those named
    in `private` (a key) readable by their owner only."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{folder.strip('/')}/{name}")
            info.size, info.mode = len(data), 0o600 if name in private else 0o644
            tar.addfile(info, io.BytesIO(data))
    container.put_archive("/", buffer.getvalue())


class LabelledContainers:
    def __init__(self, client: DockerClient, drill_id: str, on_event: EventSink) -> None:
        self.client = client
        self.drill_id = drill_id
        self._on_event = on_event
        self.network_name = f"drillbook-{drill_id}"
        self._terminal: Terminal | None = None

    def record(self, kind: EventKind, detail: str) -> None:
        """An event of the replica's own on the drill's timeline (its toolbox's, for one)."""
        self._on_event(kind, detail)

    def attach(self, terminal: Terminal) -> None:
        """The toolbox's terminal, for the runbook's commands (`replicas/toolbox/terminal.py`)."""
        self._terminal = terminal

    def terminal(self) -> Terminal:
        if self._terminal is None:
            raise ReplicaError("This drill has no toolbox: only a drill whose recovery is a runbook section has one.")
        return self._terminal

    def network_of(self, name: str = "default") -> str:
        """The engine's name of a Compose network of this drill (the default one: the drill's own)."""
        return self.network_name if name == "default" else f"{self.network_name}-{name}"

    def network(self, name: str = "default") -> Network:
        """One of the replica's networks, refusing one without this drill's labels."""
        network = self.client.networks.get(self.network_of(name))
        if not labels.belongs_to(network.attrs.get("Labels"), self.drill_id):
            raise ReplicaError(f"Network {self.network_of(name)} does not carry drill {self.drill_id}'s labels.")
        return network

    def volume_name(self, volume: str) -> str:
        return f"drillbook-{self.drill_id}-{volume}"

    def _create_volume(self, service: Service, volume: str) -> None:
        name = self.volume_name(volume)
        tags = labels.for_drill(self.drill_id, service.name)
        size = service.volume_sizes.get(volume)
        if size is None:
            self.client.volumes.create(name, labels=tags)
            return
        device = disks.create(name, size)
        try:
            options = {"type": "ext4", "device": device}
            self.client.volumes.create(name, driver="local", driver_opts=options, labels=tags)
        except docker.errors.APIError:
            disks.release_file(disks.image_path(name))
            raise
        self._on_event(EventKind.VOLUME, f"{name}: a {size // 1024**2} MiB ext4 filesystem of its own ({device})")

    def _settings(
        self, service: Service, state: ServiceState, name: str, host_port: int, network: str
    ) -> dict[str, Any]:
        """How the engine runs the service's container: the drill's labels, loopback ports only."""
        volumes = {self.volume_name(v): {"bind": path, "mode": "rw"} for v, path in service.volumes.items()}
        volumes |= {b.source: {"bind": b.target, "mode": "ro" if b.read_only else "rw"} for b in service.binds}
        aliases = list(dict.fromkeys([service.host, *service.aliases]))
        return dict(
            command=list(service.command) if service.command else None,
            entrypoint=list(service.entrypoint) if service.entrypoint is not None else None,
            name=name,
            environment=state.container_env(),
            labels={**service.labels, **labels.for_drill(self.drill_id, service.name)},  # the drill's win
            network=network,
            # The service's name is its host name on the replica's network (a proxy's, if fronted).
            networking_config={network: self.client.api.create_endpoint_config(aliases=aliases)},
            mem_limit=state.mem_limit,
            nano_cpus=int(service.cpus * 1e9) if service.cpus else None,
            cpu_shares=priority.cpu_shares(),
            restart_policy=self._restart_policy(service),
            ports={f"{service.port}/tcp": ("127.0.0.1", host_port)} if service.port else {},
            volumes=volumes,
            healthcheck=_healthcheck(service),
            user=service.user,
            working_dir=service.working_dir,
        )

    def _once(self, spec: Service, command: list[str], timeout_s: float) -> tuple[int, str]:
        service = spec.name
        container = self.client.containers.run(
            spec.image,
            command=command,
            name=f"{self.container_name(service)}-once-{secrets.token_hex(3)}",
            detach=True,
            environment=dict(spec.env),
            labels=labels.for_drill(self.drill_id, service),
            network=self.network_of(spec.networks[0]),
            volumes={self.volume_name(v): {"bind": path, "mode": "rw"} for v, path in spec.volumes.items()},
            cpu_shares=priority.cpu_shares(),
        )
        try:
            outcome = container.wait(timeout=timeout_s)
            output = container.logs().decode(errors="replace")
        finally:
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True, v=True)  # and the image's anonymous volumes with it
        return int(outcome.get("StatusCode", 1)), output

    @staticmethod
    def _restart_policy(service: Service) -> Any:
        """The engine's restart policy for the service (docker's TypedDict is private)."""
        return None if service.restart == "no" else {"Name": service.restart, "MaximumRetryCount": 0}

    def _wait_answers(
        self, service: Service, container_name: str, answers: Callable[[], bool], timeout_s: float
    ) -> float:
        """Until the container answers (`answers`), or exits, or the time is up: the seconds waited."""
        started = time.monotonic()
        deadline = started + timeout_s
        while True:
            container = self._labelled(container_name)  # a fresh inspection each time
            state = str(container.status)
            if state in ("exited", "dead"):
                raise self._not_ready(service, container, "exited")
            if state == "running" and (healthy(container) if service.ready.kind == "healthcheck" else answers()):
                return time.monotonic() - started
            if time.monotonic() > deadline:
                raise self._not_ready(service, container, f"did not answer within {timeout_s:g} s (state: {state})")
            time.sleep(0.1)

    def container_name(self, service: str) -> str:
        return f"drillbook-{self.drill_id}-{service}"

    def container(self, service: str) -> Container:
        """The service's container, refusing any object without this drill's labels."""
        return self._labelled(self.container_name(service), f"of service {service!r}")

    @boundary.mapped()
    def logs(self, service: str, tail: int) -> bytes:
        return bytes(self.container(service).logs(tail=tail))

    @boundary.mapped()
    def exec(self, service: str, command: list[str], env: Mapping[str, str] | None = None) -> tuple[int, str]:
        """Run a command in the service's container: its exit code and output (both streams)."""
        result = self.container(service).exec_run(command, environment=dict(env) if env else None)
        output = result.output.decode(errors="replace") if isinstance(result.output, bytes) else ""
        return int(result.exit_code or 0), output

    @boundary.mapped()
    def spawn(self, service: str, command: list[str]) -> None:
        """Start a command in the service's container without waiting for it."""
        self.container(service).exec_run(command, detach=True)

    @boundary.mapped()
    def status(self, service: str) -> str:
        container = self.container(service)
        container.reload()
        return str(container.status)

    def _not_ready(self, service: Service, container: Container, what: str) -> ServiceNotReady:
        """The error of a service that did not start, its cause first: the OOM killer, the exit code."""
        attrs = container.attrs.get("State", {})
        logs = bytes(container.logs(tail=15)).decode(errors="replace").rstrip() or "(empty)"
        last = logs.splitlines()[-1].strip() if logs != "(empty)" else "no output"
        if attrs.get("OOMKilled"):
            reason = (
                f"was killed by the kernel's OOM killer: it exceeded its memory limit ({service.mem_limit or 'none'})"
            )
        elif what == "exited":
            reason = f"exited with code {attrs.get('ExitCode')}: {last}"
        else:
            reason = f"{what}: {last}"
        fix = (
            f"Raise its memory limit (mem_limit in the target, or services.{service.name}.mem_limit in the drill)"
            if attrs.get("OOMKilled")
            else "Fix the image or its environment in the drill's target"
        )
        return ServiceNotReady(
            f"Service {service.name!r} {reason}. Its last log lines:\n{logs}\n{fix}, then run the drill again.",
            service.name,
            reason[:300],
        )

    def _labelled(self, name: str, what: str | None = None) -> Container:
        try:
            container = self.client.containers.get(name)
        except docker.errors.NotFound:
            raise ReplicaError(f"The container {what or name} no longer exists.") from None
        if not labels.belongs_to(container.labels, self.drill_id):
            raise ReplicaError(
                f"Container {name} does not carry drill {self.drill_id}'s labels; "
                "drillbook never acts on objects it did not create."
            )
        return container

    @boundary.mapped()
    def restart_count(self, service: str) -> int:
        """How often the engine restarted the service's container under its restart policy."""
        container = self.container(service)
        container.reload()
        return int(container.attrs.get("RestartCount") or 0)

    def oom_killed(self, service: str) -> bool:
        """True when the kernel killed the service's container for exceeding its memory limit."""
        try:
            container = self.container(service)
            container.reload()
        except (ReplicaError, docker.errors.APIError):
            return False
        return bool(container.attrs.get("State", {}).get("OOMKilled"))

    def memory(self, service: str) -> tuple[int, int] | None:
        """Working-set memory and limit of the service's container, from the engine's
        cgroup statistics (as `docker stats` counts it), or None while it is not running."""
        try:
            container = self.container(service)
            if container.status == "running" or container.attrs.get("State", {}).get("Running"):
                direct = cgroups.memory(str(container.id))
                if direct is not None:
                    return direct
            stats = self.client.api.stats(str(container.id), stream=False, one_shot=True)
        except (ReplicaError, docker.errors.APIError, requests.exceptions.RequestException, ValueError):
            return None  # removed or recreated between the lookup and the reading
        return cgroups.memory_from_stats(stats)

    def cpu_ns(self, service: str) -> int | None:
        """CPU time used by the service's container so far, in nanoseconds; None if unknown."""
        try:
            container = self.container(service)
            direct = cgroups.cpu_ns(str(container.id))
            if direct is not None:
                return direct
            stats = self.client.api.stats(str(container.id), stream=False, one_shot=True)
            return int(stats["cpu_stats"]["cpu_usage"]["total_usage"])
        except (ReplicaError, docker.errors.APIError, requests.exceptions.RequestException, KeyError, ValueError):
            return None

    @boundary.mapped()
    def kill(self, service: str) -> None:
        self.container(service).kill()

    @boundary.mapped()
    def stop(self, service: str, timeout_s: int = 10) -> None:
        self.container(service).stop(timeout=timeout_s)

    @boundary.mapped()
    def pause(self, service: str) -> None:
        """Freeze the service's processes. On a busy host a freeze can miss runc's wait ("unable
        to freeze"; runc thaws the container again, so nothing is half-done): a drill's pause
        failed so once, beside the other tests, and the drill ended without its fault. Tried up
        to three times; any other refusal, or a third miss, is the engine's error."""
        container = self.container(service)
        for attempt in range(1, FREEZE_ATTEMPTS + 1):
            try:
                container.pause()
                return
            except docker.errors.APIError as exc:
                if attempt == FREEZE_ATTEMPTS or "unable to freeze" not in str(exc):
                    raise
                why = exc.explanation or exc
                self.record(EventKind.FAULT, f"{service}: the engine could not freeze it ({why}); again")
                time.sleep(0.2)

    @boundary.mapped()
    def unpause(self, service: str) -> None:
        self.container(service).unpause()

    @boundary.mapped()
    def start_service(self, service: str) -> None:
        self.container(service).start()

    @boundary.mapped()
    def restart(self, service: str, timeout_s: int = 10) -> None:
        self.container(service).restart(timeout=timeout_s)


def healthy(container: Container) -> bool:
    """The engine's own verdict of the container's health check."""
    return str((container.attrs.get("State", {}).get("Health") or {}).get("Status")) == "healthy"


def _healthcheck(service: Service) -> dict[str, Any] | None:
    """A Compose health check in the engine's terms (durations in nanoseconds)."""
    check = service.healthcheck
    if check is None:
        return None
    ns = 1_000_000_000
    return {
        "test": list(check.test),
        "interval": int(check.interval_s * ns),
        "timeout": int(check.timeout_s * ns),
        "retries": check.retries,
        "start_period": int(check.start_period_s * ns),
    }
