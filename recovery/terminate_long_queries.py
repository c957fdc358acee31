"""The runbook's "Kill long-running queries if needed": find statements active
longer than N in `pg_stat_activity`, terminate them with `pg_terminate_backend`,
verify. drillbook's own sessions (application name `drillbook…`) are never
touched: the harness's probes and checks are not the incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from psycopg.rows import class_row

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery import database
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import VERIFY

# The runbook's query, with the harness's own sessions left out.
LONG_RUNNING = """
    SELECT pid, coalesce(application_name, '') AS application, state,
           round(extract(epoch FROM now() - query_start)::numeric, 1) AS seconds, left(query, 120) AS query,
           cardinality(pg_blocking_pids(pid)) > 0 AS waiting,
           EXISTS (SELECT 1 FROM pg_stat_activity o WHERE a.pid = ANY(pg_blocking_pids(o.pid))) AS blocking
    FROM pg_stat_activity a
    WHERE state <> 'idle' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
      AND query_start < now() - make_interval(secs => %s)
      AND coalesce(application_name, '') NOT LIKE 'drillbook%%'
    ORDER BY query_start"""


@dataclass(frozen=True)
class Session:
    """A row of LONG_RUNNING."""

    pid: int
    application: str
    state: str
    seconds: Decimal
    query: str
    waiting: bool
    blocking: bool


@dataclass(frozen=True)
class Options:
    older_than_s: float = 300.0
    """The runbook's `query_start < now() - interval '5 minutes'`; drills scale it down."""
    verify_timeout_s: float = 30.0


@dataclass
class Found:
    pids: list[int] = field(default_factory=list)
    """The sessions to end, for the step that ends them."""


Ctx = StepContext[Options, Found]


def find_long_running(ctx: Ctx) -> str:
    options = ctx.options
    with database.admin(ctx) as conn:
        rows = conn.cursor(row_factory=class_row(Session)).execute(LONG_RUNNING, (options.older_than_s,)).fetchall()
    if not rows:
        raise RecoveryStepFailed(f"no statement outside drillbook has run longer than {options.older_than_s:g} s")
    # Sessions that only wait on a lock are victims: ending the one that holds it frees
    # them all. Without a blocker among them, every long-running statement goes.
    roots = [r for r in rows if r.blocking and not r.waiting]
    chosen = roots or rows
    ctx.work.pids = [r.pid for r in chosen]
    waiting = len(rows) - len(chosen)
    detail = "; ".join(
        f"pid {r.pid} ({r.application or 'no name'}, {r.state}, {r.seconds} s): {r.query}" for r in chosen
    )
    return detail + (f"; {waiting} more only wait on it and are left to finish" if roots and waiting else "")


def terminate(ctx: Ctx) -> str:
    pids = ctx.work.pids
    if not pids:
        raise RecoveryStepFailed("nothing to terminate: the previous step found no session")
    with database.admin(ctx) as conn:
        ended = database.terminate(conn, pids)
    if not ended:
        raise RecoveryStepFailed(f"pg_terminate_backend ended none of {pids}")
    return f"terminated {len(ended)} session(s): pids {', '.join(map(str, ended))}"


PROCEDURE = Procedure(
    name="terminate_long_queries",
    description="Find statements running longer than N in pg_stat_activity, terminate them, verify.",
    options=Options,
    work=Found,
    steps=(
        Step(
            "find long-running statements",
            "pg_stat_activity: not idle, started longer ago than older_than_s, not drillbook's own",
            find_long_running,
            hint="psql '{psql}' -c \"SELECT pid, application_name, state, query_start, query FROM pg_stat_activity "
            "WHERE state <> 'idle' AND query_start < now() - interval '5 seconds';\"",
        ),
        Step(
            "terminate them",
            "pg_terminate_backend on each",
            terminate,
            hint="psql '{psql}' -c 'SELECT pg_terminate_backend(<pid>);'",
        ),
        VERIFY,
    ),
)
