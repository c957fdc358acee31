"""Finding and removing what drills left behind, by their labels only."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import docker.errors
from docker import DockerClient

from drillbook.replicas import disks, labels


@dataclass
class DrillObjects:
    drill_id: str
    owner: str | None
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return labels.owner_alive(self.owner)

    @property
    def count(self) -> int:
        return len(self.containers) + len(self.networks) + len(self.volumes)


@dataclass(frozen=True)
class Listed:
    id: str
    name: str
    labels: dict[str, str]


def listed_containers(client: DockerClient, filters: dict[str, str | list[str] | bool]) -> list[Listed]:
    """The containers matching `filters`, as the engine's list gives them. Not the SDK's
    `containers.list`, which inspects each one afterwards and raises NotFound when a drill
    beside this one removes a container in between."""
    return [
        Listed(str(row["Id"]), str((row.get("Names") or ["?"])[0]).lstrip("/"), dict(row.get("Labels") or {}))
        for row in client.api.containers(all=True, filters=filters)
    ]


def survey(client: DockerClient) -> list[DrillObjects]:
    """Every drill that has objects on this engine, with whether its harness still runs."""
    found: dict[str, DrillObjects] = {}

    def note(object_labels: dict[str, str] | None, name: str, kind: str) -> None:
        tags = object_labels or {}
        drill_id = tags.get(labels.DRILL)
        if tags.get(labels.MANAGED) != "true" or not drill_id:
            return
        entry = found.setdefault(drill_id, DrillObjects(drill_id, tags.get(labels.OWNER)))
        getattr(entry, kind).append(name)

    wanted = labels.filter_for()
    for c in listed_containers(client, wanted):
        note(c.labels, c.name, "containers")
    for n in client.networks.list(filters=wanted):
        note(n.attrs.get("Labels"), n.name or "?", "networks")
    for v in client.volumes.list(filters=wanted):
        note(v.attrs.get("Labels"), v.name or "?", "volumes")
    return sorted(found.values(), key=lambda d: d.drill_id)


def remove_drill_objects(client: DockerClient, drill_id: str, rounds: int = 15) -> int:
    """Remove one drill's containers, then networks, then volumes; return how many.

    A create call cut short by a signal can still complete in the engine a
    moment later, and a volume stays "in use" while its container is being
    removed, so the sweep repeats until two rounds in a row find nothing left.
    """
    removed = 0
    quiet = 0
    for _ in range(rounds):
        gone, left = _sweep(client, drill_id)
        removed += gone
        quiet = quiet + 1 if gone == 0 and left == 0 else 0
        if quiet >= 2:
            break
        time.sleep(0.2)
    # Size-limited volumes sit on loop devices over files: released once their volumes are gone.
    disks.release_drill(drill_id)
    return removed


def _sweep(client: DockerClient, drill_id: str) -> tuple[int, int]:
    """(removed, still there) for one pass over the drill's objects. The containers go at once:
    each removal mostly waits for its container's processes to die and its layers to unmount,
    and a replica has three to six; its network and volumes can only go after them."""
    wanted = labels.filter_for(drill_id)
    containers: list[Callable[[], object]] = [
        functools.partial(client.api.remove_container, container.id, force=True, v=True)
        for container in listed_containers(client, wanted)
        if labels.belongs_to(container.labels, drill_id)
    ]
    with ThreadPoolExecutor(min(8, len(containers)) or 1, thread_name_prefix="drillbook-remove") as pool:
        gone = sum(pool.map(_attempt, containers))
    actions: list[Callable[[], object]] = []
    for network in client.networks.list(filters=wanted):
        if labels.belongs_to(network.attrs.get("Labels"), drill_id):
            actions.append(network.remove)
    for volume in client.volumes.list(filters=wanted):
        if labels.belongs_to(volume.attrs.get("Labels"), drill_id):
            actions.append(functools.partial(volume.remove, force=True))
    removed = gone + sum(_attempt(action) for action in actions)
    return removed, len(containers) + len(actions) - removed


def _attempt(action: Callable[[], object]) -> int:
    try:
        action()
    except docker.errors.NotFound:
        return 1  # gone already: someone else's removal finished it
    except docker.errors.APIError as exc:
        if exc.status_code == 409:  # still in use or being removed: the next round gets it
            return 0
        raise
    return 1


def remove_all(client: DockerClient, drills: Iterable[DrillObjects]) -> int:
    return sum(remove_drill_objects(client, d.drill_id) for d in drills)
