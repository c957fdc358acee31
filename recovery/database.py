"""What the database procedures share: the administrator's session, the runbook's
read-only mode, and the backup tools run where the backups are (drillbook's
backup service, which mounts the backups volume and reaches the database by name).
"""

from __future__ import annotations

import shlex

import httpx
import psycopg
from psycopg.rows import scalar_row

from drillbook.errors import RecoveryStepFailed, ReplicaError
from drillbook.recovery.base import StepContext
from drillbook.replicas import loopback

AnyContext = StepContext[object, object]

READ_WRITE_OFF = "-c default_transaction_read_only=off"
"""PGOPTIONS for drillbook's own restore while the database is read-only for everyone else."""


def admin(ctx: AnyContext, dbname: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
    """The administrator's session (never read-only itself), to the target's database or `dbname`."""
    conninfo = ctx.replica.db_conninfo()
    if dbname is not None:
        conninfo = psycopg.conninfo.make_conninfo(conninfo, dbname=dbname)
    return psycopg.connect(conninfo, autocommit=True, application_name="drillbook-recovery", options=READ_WRITE_OFF)


def terminate(conn: psycopg.Connection[tuple[object, ...]], pids: list[int]) -> list[int]:
    """`pg_terminate_backend` on each; the pids it ended."""
    ended = []
    for pid in pids:
        row = conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
        if row and row[0]:
            ended.append(pid)
    return ended


def answers(ctx: AnyContext) -> bool:
    try:
        with admin(ctx) as conn:
            conn.execute("SELECT 1").fetchone()
    except psycopg.Error:
        return False
    return True


def backup_tool(ctx: AnyContext, script: str) -> str:
    """Run a shell script in the backup service's container; its output, or the step fails."""
    service = ctx.replica.target.backups.service
    if service is None:
        raise RecoveryStepFailed("this drill takes no backups")
    code, output = ctx.replica.exec(service, ["bash", "-c", f"set -o pipefail; {script}"])
    if code != 0:
        raise RecoveryStepFailed(f"`{script[:80]}` failed (exit {code}): {output.strip()[-300:]}")
    return output.strip()


def quote(text: str) -> str:
    return shlex.quote(text)


def service_mode(ctx: AnyContext, mode: str) -> str:
    """The service's maintenance endpoint (`readonly` or `readwrite`), when it has one."""
    path = f"/api/admin/maintenance/{mode}"
    try:
        response = loopback.post(ctx.replica.url() + path, timeout=5.0)
    except httpx.HTTPError as exc:
        return f"POST {path}: {type(exc).__name__}"
    return f"POST {path}: HTTP {response.status_code}"


def read_only(ctx: AnyContext, on: bool) -> str:
    """The runbook's containment: `default_transaction_read_only` for every new transaction
    (sessions pick it up on reload) and the service's maintenance mode."""
    with admin(ctx) as conn:
        if on:
            conn.execute("ALTER SYSTEM SET default_transaction_read_only = on")
        else:
            conn.execute("ALTER SYSTEM RESET default_transaction_read_only")
        conn.execute("SELECT pg_reload_conf()")
    setting = "ALTER SYSTEM SET default_transaction_read_only = on" if on else "ALTER SYSTEM RESET ..."
    return f"{setting}, reloaded; {service_mode(ctx, 'readonly' if on else 'readwrite')}"


def table_counts(ctx: AnyContext) -> dict[str, int]:
    with admin(ctx) as conn:
        cursor = conn.cursor(row_factory=scalar_row)
        listed = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        tables: list[str] = cursor.execute(listed).fetchall()
        counts: dict[str, int] = {}
        for table in tables:
            count = psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(table))
            counts[table] = cursor.execute(count).fetchone() or 0
    return counts


def ensure_running(ctx: AnyContext, service: str, ready_timeout_s: float) -> str:
    """The database's container running again: recreated on new volumes when it is gone."""
    replica = ctx.replica
    try:
        state = replica.status(service)
    except ReplicaError:  # the container is gone: build it again
        waited = replica.recreate(service, ready_timeout_s)
        return f"{service} was gone: created again on a new, empty volume (answers after {waited:.1f} s)"
    if state == "paused":
        replica.unpause(service)
    elif state != "running":
        replica.start_service(service)
    waited = replica.wait_ready(service, ready_timeout_s)
    return f"{service} was {state}; answers after {waited:.1f} s"
