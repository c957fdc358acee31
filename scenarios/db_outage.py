"""The database goes away: its container is killed, stopped or frozen.

`kill` is a crash (SIGKILL, no shutdown), `stop` an orderly shutdown, `pause`
a database that accepts connections but never answers, the hardest for
clients to notice. The fault does not heal itself: revert starts or thaws the
container on its own volume if the procedure did not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from drillbook.replicas.protocols import Containers
from drillbook.scenarios.base import Fault, Scenario

Mode = Literal["kill", "stop", "pause"]


@contextmanager
def inject(replica: Containers, mode: Mode = "kill", service: str | None = None) -> Iterator[Fault]:
    name = service or replica.target.database.service
    fault = Fault(f"database container {name!r}: {mode}", lambda: _revert(replica, name))
    try:
        if mode == "kill":
            replica.kill(name)
        elif mode == "stop":
            replica.stop(name)
        else:
            replica.pause(name)
        yield fault
    finally:
        fault.revert()


def _revert(replica: Containers, service: str) -> str | None:
    state = replica.status(service)
    if state == "paused":
        replica.unpause(service)
        return f"unpaused {service}"
    if state != "running":
        replica.start_service(service)
        return f"started {service} again on its volume"
    return None


SCENARIO = Scenario(
    name="db_outage",
    description="The database container is killed, stopped or paused while traffic flows.",
    expected_alerts=("database_down", "health_check_fail"),
    expected_recovery="restart_database",
    rehearses=("database-connection-failure", "database-down", "website-inaccessible"),
    steps=(
        "kill (SIGKILL), stop (orderly) or pause (freeze) the database container",
        "leave it down until the procedure restarts it (or the fault's hold time ends)",
    ),
    inject=inject,
)
