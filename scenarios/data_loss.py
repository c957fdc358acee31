"""Data loss: the database's host is gone, with its container and its data volume.

Only what was backed up elsewhere survives (the `backups` volume: dumps, the
WAL archive). Nothing comes back by itself; revert has nothing to undo, and
teardown removes what the procedure rebuilt.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.replicas.protocols import LosesHosts
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service


def check(target: Target, service: str | None = None) -> None:
    named_service(target, "data_loss", service, target.database.service)


@contextmanager
def inject(replica: LosesHosts, service: str | None = None) -> Iterator[Fault]:
    check(replica.target, service)
    name = service or replica.target.database.service
    fault = Fault(f"{name!r}: container and data volume gone", lambda: None)
    try:
        # The kill is the loss its clients see, and no write is acknowledged after it; the
        # removal that follows takes the engine seconds on a busy disk (3 s measured), which
        # were counted as RPO when the fault began at the removal's end.
        if replica.status(name) == "running":
            replica.kill(name)
        fault.began = time.monotonic()
        gone = replica.remove_service(name)
        fault.description = f"{name!r} lost with its host: container removed, volumes {', '.join(gone) or 'none'} gone"
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name="data_loss",
    description="The database's host is lost: its container and data volume are gone; backups survive.",
    expected_alerts=("database_down", "health_check_fail", "high_error_rate"),
    expected_recovery="restore_dump",
    rehearses=("data-loss-or-corruption",),
    steps=(
        "kill the database's container (SIGKILL): the loss begins here",
        "remove the container and its data volume (never the backups volume)",
    ),
    inject=inject,
    check=check,
)
