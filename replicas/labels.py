"""The labels every Docker object of a drill carries.

The harness only ever acts on objects that carry them: they are how a drill's
containers, networks and volumes are found for teardown and cleanup, and the
guarantee that a decoy of someone else's is never touched. The owner label
names the process that runs the drill, so cleanup can tell the leftovers of a
dead drill from the objects of one still running beside it.
"""

from __future__ import annotations

import os
import pathlib
import socket

MANAGED = "io.drillbook.managed"
DRILL = "io.drillbook.drill"
SERVICE = "io.drillbook.service"
OWNER = "io.drillbook.owner"
INPUTS = "io.drillbook.inputs"
"""On an image drillbook built: the hash of its inputs (an image with the same hash is current)."""


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks: a pid reused later differs here."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def owner() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{start_time(pid) or '?'}"


def owner_alive(value: str | None) -> bool:
    """True unless the owner is surely gone: same host, and that process is not running."""
    if not value:
        return False
    try:
        host, pid, started = value.rsplit(":", 2)
    except ValueError:
        return False
    if host != socket.gethostname():
        return True  # another machine's drill: not ours to judge
    return pid.isdigit() and start_time(int(pid)) == started


def for_drill(drill_id: str, service: str | None = None) -> dict[str, str]:
    labels = {MANAGED: "true", DRILL: drill_id, OWNER: owner()}
    if service is not None:
        labels[SERVICE] = service
    return labels


def filter_for(drill_id: str | None = None) -> dict[str, str | list[str] | bool]:
    """A Docker API filter selecting drillbook's objects, or one drill's."""
    wanted: list[str] = [f"{MANAGED}=true"]
    if drill_id is not None:
        wanted.append(f"{DRILL}={drill_id}")
    return {"label": wanted}


def belongs_to(object_labels: dict[str, str] | None, drill_id: str) -> bool:
    labels = object_labels or {}
    return labels.get(MANAGED) == "true" and labels.get(DRILL) == drill_id
