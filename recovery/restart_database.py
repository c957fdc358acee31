"""The runbook's database restart: bring PostgreSQL back on its own volume,
wait until it answers queries, reset the application's connection pool, verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY, Verifies


class Restarts(Verifies, Protocol):
    """Options of any procedure that ends with these steps (free_disk_space does too)."""

    @property
    def service(self) -> str | None: ...

    @property
    def ready_timeout_s(self) -> float: ...


@dataclass(frozen=True)
class Options:
    service: str | None = None
    ready_timeout_s: float = 60.0
    verify_timeout_s: float = 30.0


Ctx = StepContext[Restarts, object]


def _service(ctx: Ctx) -> str:
    options = ctx.options
    return options.service or ctx.replica.target.database.service


def restart_container(ctx: Ctx) -> str:
    replica, service = ctx.replica, _service(ctx)
    state = replica.status(service)
    if state == "paused":
        replica.unpause(service)
        replica.restart(service)
        return f"{service} was frozen: thawed and restarted"
    if state == "running":
        replica.restart(service)
        return f"{service} was running: restarted"
    replica.start_service(service)
    return f"{service} was {state}: started on its volume"


def wait_for_postgres(ctx: Ctx) -> str:
    options = ctx.options
    waited = ctx.replica.wait_ready(_service(ctx), options.ready_timeout_s)
    return f"PostgreSQL answers queries after {waited:.2f} s"


STEPS: tuple[Step[Restarts, object], ...] = (
    Step(
        "restart database container",
        "start, restart or thaw the database container",
        restart_container,
        hint="docker start {db_container}   (docker unpause {db_container} if it is paused)",
    ),
    Step(
        "wait for PostgreSQL",
        "until `SELECT 1` succeeds through 127.0.0.1",
        wait_for_postgres,
        hint="psql '{psql}' -c 'SELECT 1;'",
    ),
    RESET_CONNECTIONS,
    VERIFY,
)
"""The runbook's database restart, for any procedure whose options say which service and how long."""

PROCEDURE = Procedure(
    name="restart_database",
    description="Restart PostgreSQL on its volume, reset the app's connections, verify.",
    options=Options,
    work=nothing,
    steps=STEPS,
)
