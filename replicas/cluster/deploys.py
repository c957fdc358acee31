"""A change of desired state on the swarm: a rolling update of the service, and its rollback.

Swarm replaces a service's tasks one at a time (`UPDATE`): each new task must
run for `MONITOR_S` before the next is replaced; one that fails pauses the
update there (`failure_action: pause`, Swarm's default), leaving the rest on the
old release, as a deploy tool leaves a failed rollout. `docker service
rollback` puts the previous spec back by the same rules (`ROLLBACK`). A
release that starts and answers, but answers wrongly, rolls out across every
replica: that is what the swarm cannot see and the drill measures.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import docker.errors
from docker import DockerClient
from docker.types import NetworkAttachmentConfig, Resources, RollbackConfig, UpdateConfig
from docker.utils import parse_bytes

from drillbook.errors import ReplicaError
from drillbook.replicas.desired_state import ServiceState
from drillbook.replicas.protocols import Replacement
from drillbook.replicas.target import Service

NS = 1_000_000_000
MONITOR_S = 2.0
UPDATE = UpdateConfig(parallelism=1, delay=int(1 * NS), failure_action="pause", monitor=int(MONITOR_S * NS))
ROLLBACK = RollbackConfig(parallelism=1, delay=0, failure_action="pause", monitor=int(MONITOR_S * NS))
SETTLED = ("completed", "paused", "rollback_completed", "rollback_paused")


def resources(service: Service, state: ServiceState) -> Resources:
    return Resources(
        mem_limit=int(parse_bytes(state.mem_limit)) if state.mem_limit else None,
        cpu_limit=int(service.cpus * NS) if service.cpus else None,
    )


def update(manager: DockerClient, service: Service, state: ServiceState) -> None:
    """The service's spec moved to `state` (image, environment, limits): Swarm rolls its tasks."""
    try:
        manager.services.get(service.name).update(  # type: ignore[no-untyped-call]
            image=state.image,
            env=[f"{k}={v}" for k, v in state.container_env().items()],
            resources=resources(service, state),
        )
    except docker.errors.APIError as exc:
        raise ReplicaError(f"The swarm refused to update {service.name!r}: {exc.explanation or exc}.") from exc


def rolled(
    manager: DockerClient,
    service: Service,
    state: ServiceState,
    head: str,
    timeout_s: float,
    answers: Callable[[Service], bool],
) -> tuple[Replacement, str]:
    """The update just asked for, waited for: the replacement as the drill records it, and a line
    for the timeline."""
    started = time.monotonic()
    settled, message = wait(manager, service.name, timeout_s)
    ok = settled == "completed" and answers(service)
    took = time.monotonic() - started
    replaced = Replacement(
        service.name,
        "rolling",
        state.image,
        None,
        time.monotonic() if ok else None,
        "ready" if ok else f"{settled}: {message}",
    )
    line = f"{service.name} on {state.image} as of {head}: Swarm's rolling update {settled} in {took:.2f} s"
    return replaced, line + (f" ({message})" if message and not ok else "")


def wait(manager: DockerClient, name: str, timeout_s: float) -> tuple[str, str]:
    """Until the service's update (or rollback) settles: its state and the swarm's message."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            status = manager.services.get(name).attrs.get("UpdateStatus") or {}  # type: ignore[no-untyped-call]
        except docker.errors.APIError as exc:
            raise ReplicaError(f"The swarm did not say how the update of {name!r} went: {exc}.") from exc
        state, message = str(status.get("State", "")), str(status.get("Message", ""))
        if state in SETTLED:
            return state, message
        if time.monotonic() > deadline:
            return "unsettled", f"still {state or 'starting'} after {timeout_s:g} s"
        time.sleep(0.2)


def rollback(socket: str, manager: DockerClient, name: str, timeout_s: float) -> str:
    """`docker service rollback`: the swarm puts the service's previous spec back; waited for
    until it has, and how it went."""
    command = ["docker", "--host", socket, "service", "rollback", "--detach", name]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReplicaError(f"`docker service rollback {name}` could not run: {exc}.") from exc
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise ReplicaError(f"`docker service rollback {name}` failed: {said[-1] if said else done.returncode}.")
    started = time.monotonic()
    settled, message = wait(manager, name, timeout_s)
    if settled != "rollback_completed":
        raise ReplicaError(f"The rollback of {name!r} did not complete: {settled} ({message}).")
    return f"{settled} in {time.monotonic() - started:.2f} s: {message}"


def take_over(manager: DockerClient, db: Service, standby: Service, networks: list[NetworkAttachmentConfig]) -> None:
    """The old primary's service scaled to nothing (its name no longer resolves to it, and a node
    that comes back brings no second primary), then the standby on `networks` with the database's
    name: Swarm restarts its task, on its node and volume."""
    try:
        if standby.name != db.name:
            manager.services.get(db.name).scale(0)  # type: ignore[no-untyped-call]
        manager.services.get(standby.name).update(networks=networks)  # type: ignore[no-untyped-call]
    except docker.errors.APIError as exc:
        raise ReplicaError(f"The swarm refused the failover to {standby.name!r}: {exc.explanation or exc}.") from exc
    settled, message = wait(manager, standby.name, 120.0)
    if settled != "completed":
        raise ReplicaError(f"The swarm did not restart {standby.name!r} under {db.host!r}: {settled} ({message}).")
