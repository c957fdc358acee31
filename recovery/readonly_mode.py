"""The runbook's containment step on its own: the database read-only for every new
transaction and the service in its maintenance mode, so nothing more is written
while a restore is prepared. Reads keep working; the verify step proves it."""

from __future__ import annotations

from dataclasses import dataclass

from drillbook.recovery import database
from drillbook.recovery.base import AnyStep, Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import VERIFY


@dataclass(frozen=True)
class Options:
    verify_timeout_s: float = 30.0


def on(ctx: StepContext[object, object]) -> str:
    return database.read_only(ctx, True)


READ_ONLY_ON: AnyStep = Step(
    "read-only mode on",
    "ALTER SYSTEM SET default_transaction_read_only = on, reload; the service's maintenance mode",
    on,
    hint="psql '{psql}' -c 'ALTER SYSTEM SET default_transaction_read_only = on' -c 'SELECT pg_reload_conf()'; "
    "curl -X POST {app_url}/api/admin/maintenance/readonly",
)

PROCEDURE = Procedure(
    name="readonly_mode",
    description="Put the database and the service in read-only mode, verify reads still work.",
    options=Options,
    work=nothing,
    steps=(READ_ONLY_ON, VERIFY),
)
