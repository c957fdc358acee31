"""Primary failure: the primary PostgreSQL dies while a standby streams from it.

The drill must run a standby (`backups: {standby: {mode: async|sync}}`); without
one this is refused before anything starts. Revert restarts the old primary only
if nothing was promoted in its place: two primaries taking writes would be a
second incident.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import DrillbookError, PluginError
from drillbook.replicas.protocols import DatabaseHost
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario


def check(target: Target) -> None:
    if target.backups.standby is None:
        raise PluginError(
            "The scenario 'primary_failure' kills the primary while a standby runs, and this drill has no standby. "
            "Add `backups: {standby: {mode: sync}}` (or async) to the drill file."
        )


@contextmanager
def inject(replica: DatabaseHost) -> Iterator[Fault]:
    check(replica.target)
    primary = replica.target.database.service

    def revert() -> str | None:
        if replica.database_service != primary:
            return f"left {primary!r} down: {replica.database_service!r} was promoted in its place"
        with contextlib.suppress(DrillbookError):
            replica.start_service(primary)
            return f"started {primary!r} again"
        return None

    fault = Fault(f"primary {primary!r} killed", revert)
    try:
        replica.kill(primary)
        fault.began = time.monotonic()
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name="primary_failure",
    description="The primary PostgreSQL is killed while a streaming standby runs.",
    expected_alerts=("database_down", "health_check_fail", "high_error_rate"),
    expected_recovery="failover",
    rehearses=("database-connection-failure", "database-down"),
    steps=("check that the drill runs a standby", "kill the primary's container (SIGKILL)"),
    inject=inject,
    check=check,
)
