"""Connection exhaustion's recovery: count the connections the way the runbook does
(`SELECT count(*) FROM pg_stat_activity`, here by who holds them), cap the role
that holds the most long-idle sessions so a leak cannot take the slots again,
terminate the sessions idle longer than N, reset the service's pool, verify.

Everything here uses an administrator's login, which PostgreSQL still admits
from its reserved slots when every ordinary one is taken. drillbook's own
sessions (application name `drillbook…`), superusers and the service's busy
pool are never capped."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql
from psycopg.rows import class_row, scalar_row

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery import database
from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY

BY_HOLDER = """
    SELECT coalesce(nullif(application_name, ''), 'no name') AS holder, coalesce(usename, '') AS role, state,
           count(*) AS connections
    FROM pg_stat_activity WHERE backend_type = 'client backend'
    GROUP BY 1, 2, 3 ORDER BY 4 DESC"""

IDLE = """
    SELECT pid FROM pg_stat_activity
    WHERE state = 'idle' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
      AND state_change < now() - make_interval(secs => %s)
      AND coalesce(application_name, '') NOT LIKE 'drillbook%%'"""


LEAKING_ROLE = """
    SELECT a.usename AS role, count(*) AS sessions FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
    WHERE a.state = 'idle' AND a.backend_type = 'client backend' AND NOT r.rolsuper
      AND a.state_change < now() - make_interval(secs => %s)
      AND coalesce(a.application_name, '') NOT LIKE 'drillbook%%'
    GROUP BY 1 ORDER BY 2 DESC LIMIT 1"""


@dataclass(frozen=True)
class Holder:
    """A row of BY_HOLDER."""

    holder: str
    role: str
    state: str | None
    connections: int


@dataclass(frozen=True)
class Leak:
    """The row of LEAKING_ROLE."""

    role: str
    sessions: int


@dataclass(frozen=True)
class Options:
    idle_longer_than_s: float = 600.0
    """Sessions idle this long are the leak; the service's busy pool is never idle that long."""
    cap_connections: int = 5
    """The connection limit put on the leaking role: enough for a well-behaved job, not for a leak."""
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, None]


def count_connections(ctx: Ctx) -> str:
    with database.admin(ctx) as conn:
        rows = conn.cursor(row_factory=class_row(Holder)).execute(BY_HOLDER).fetchall()
        limit = conn.cursor(row_factory=scalar_row).execute("SELECT current_setting('max_connections')").fetchone()
    total = sum(r.connections for r in rows)
    holders = ", ".join(f"{r.connections} {r.state or 'no state'} {r.holder} ({r.role})" for r in rows[:5])
    return f"{total} of max_connections {limit or '?'}: {holders}"


def cap_leaking_role(ctx: Ctx) -> str:
    options = ctx.options
    with database.admin(ctx) as conn:
        row = conn.cursor(row_factory=class_row(Leak)).execute(LEAKING_ROLE, (options.idle_longer_than_s,)).fetchone()
        if row is None:
            raise RecoveryStepFailed(
                f"no role outside the superusers holds sessions idle longer than {options.idle_longer_than_s:g} s"
            )
        role, idle = row.role, row.sessions
        conn.execute(
            sql.SQL("ALTER ROLE {} CONNECTION LIMIT {}").format(
                sql.Identifier(role), sql.Literal(options.cap_connections)
            )
        )
    return f"role {role} holds {idle} long-idle sessions: CONNECTION LIMIT {options.cap_connections}"


def terminate_idle(ctx: Ctx) -> str:
    options = ctx.options
    with database.admin(ctx) as conn:
        pids: list[int] = conn.cursor(row_factory=scalar_row).execute(IDLE, (options.idle_longer_than_s,)).fetchall()
        if not pids:
            raise RecoveryStepFailed(
                f"no session outside drillbook has been idle longer than {options.idle_longer_than_s:g} s"
            )
        ended = database.terminate(conn, pids)
    if not ended:
        raise RecoveryStepFailed(f"pg_terminate_backend ended none of {len(pids)} idle sessions")
    return f"terminated {len(ended)} session(s) idle longer than {options.idle_longer_than_s:g} s"


PROCEDURE = Procedure(
    name="terminate_idle_connections",
    description="Count connections, cap the leaking role, terminate long-idle sessions, reset the pool, verify.",
    options=Options,
    work=nothing,
    steps=(
        Step(
            "count connections",
            "pg_stat_activity by application, role and state, against max_connections",
            count_connections,
            hint="psql '{psql}' -c \"SELECT application_name, usename, state, count(*) FROM pg_stat_activity "
            'GROUP BY 1, 2, 3 ORDER BY 4 DESC;"',
        ),
        Step(
            "cap the leaking role",
            "ALTER ROLE … CONNECTION LIMIT on the role holding the most long-idle sessions (never a superuser)",
            cap_leaking_role,
            hint="psql '{psql}' -c 'ALTER ROLE <role> CONNECTION LIMIT 5;'",
        ),
        Step(
            "terminate idle sessions",
            "pg_terminate_backend on every session idle longer than idle_longer_than_s, not drillbook's own",
            terminate_idle,
            hint="psql '{psql}' -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle' "
            "AND state_change < now() - interval '5 seconds';\"",
        ),
        RESET_CONNECTIONS,
        VERIFY,
    ),
)
