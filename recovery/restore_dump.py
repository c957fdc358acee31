"""The runbook's database rollback: read-only, back up the current state, restore the
newest dump, verify counts, read-write.

The dump is the newest complete one taken before the fault (drillbook's backup
service names each by the instant it started; one taken since would hold the
damage); `pg_restore` runs with parallel jobs into a new database that then takes
the live one's name (the damaged one is kept, renamed), as the administrator with
read-only switched off for its own session only: restoring over the live database
with `--clean` spent its extra time dropping the old data. A database whose host
was lost is first created again, empty, on a new volume.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from drillbook.errors import PluginError, RecoveryStepFailed
from drillbook.recovery import database
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY
from drillbook.recovery.readonly_mode import READ_ONLY_ON
from drillbook.replicas.target import Target


@dataclass(frozen=True)
class Options:
    jobs: int = 2
    """pg_restore's parallel jobs."""
    ready_timeout_s: float = 60.0
    verify_timeout_s: float = 30.0


@dataclass
class Found:
    recreated: bool = False
    """The database was created again, empty: there is nothing of it to keep."""


Ctx = StepContext[Options, Found]


def check(target: Target, options: Options) -> None:
    if target.backups.dump_interval_s is None:
        raise PluginError(
            "The procedure 'restore_dump' restores the newest dump, and this drill takes none. Add "
            "`backups: {dump: {interval_s: 20}}` to the drill file."
        )
    if options.jobs < 1:
        raise PluginError(f"The procedure 'restore_dump' needs at least 1 job, not {options.jobs}.")


def _db(ctx: Ctx) -> str:
    return ctx.replica.target.database.service


def make_sure_it_runs(ctx: Ctx) -> str:
    options = ctx.options
    detail = database.ensure_running(ctx, _db(ctx), options.ready_timeout_s)
    ctx.work.recreated = "created again" in detail
    return detail


def back_up_current(ctx: Ctx) -> str:
    if ctx.work.recreated:
        return "skipped: the database was created again, empty; there is nothing of it to keep"
    path = f"{ctx.replica.target.backups.path}/emergency-{time.time():.3f}.dump"
    database.backup_tool(ctx, f"pg_dump -Fc -f {database.quote(path)}")
    size = database.backup_tool(ctx, f"du -k {database.quote(path)} | cut -f1")
    return f"pg_dump -Fc of the current state: {path} ({size} KiB)"


def restore_newest(ctx: Ctx) -> str:
    options = ctx.options
    dumps = ctx.replica.target.backups.path + "/dumps"
    listing = database.backup_tool(ctx, f"ls -1 {dumps} | grep -E '^[0-9.]+\\.dump$' || true")
    # The newest dump from before the fault: one taken since holds the damage (or an empty,
    # just recreated database).
    before = ctx.injected_wall if ctx.injected_wall is not None else time.time()
    taken_at = sorted(t for t in (float(name.removesuffix(".dump")) for name in listing.split()) if t < before)
    if not taken_at:
        raise RecoveryStepFailed(f"no complete dump from before the fault in {dumps}")
    taken = taken_at[-1]
    newest = next(name for name in listing.split() if float(name.removesuffix(".dump")) == taken)
    db = ctx.replica.target.database.dbname
    staging = f"{db}_restoring"
    with database.admin(ctx, "postgres") as conn:
        row = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (db,)).fetchone()
        owner = str(row[0]) if row else ctx.replica.target.database.user
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(staging)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0").format(
                sql.Identifier(staging), sql.Identifier(owner)
            )
        )
    started = time.monotonic()
    database.backup_tool(
        ctx,
        f"PGOPTIONS={database.quote(database.READ_WRITE_OFF)} pg_restore -j {options.jobs} "
        f"-d {database.quote(staging)} {dumps}/{newest}",
    )
    kept = _swap(ctx, db, staging)
    took = time.monotonic() - started
    ctx.figure("pg_restore_s", took)
    at = dt.datetime.fromtimestamp(taken, dt.UTC).isoformat(timespec="milliseconds")
    age = f", {ctx.injected_wall - taken:.1f} s before the fault" if ctx.injected_wall is not None else ""
    return (
        f"pg_restore -j {options.jobs} of dumps/{newest} (taken {at}{age}) into {staging}, swapped in for {db} "
        f"in {took:.1f} s; the database as it was is kept as {kept}"
    )


def _swap(ctx: Ctx, db: str, staging: str) -> str:
    """The restored database takes the name; the one it replaces is kept, closed to connections."""
    kept = f"{db}_before_{time.time():.0f}"
    with database.admin(ctx, "postgres") as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(db)))
        for _ in range(50):
            conn.execute(
                "SELECT pg_terminate_backend(pid, 2000) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (db,),
            )
            try:
                conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(db), sql.Identifier(kept)))
                break
            except psycopg.errors.ObjectInUse:
                time.sleep(0.05)
        else:
            conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(db)))
            raise RecoveryStepFailed(f"sessions kept {db} busy: the restored copy stays in {staging}")
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(staging), sql.Identifier(db)))
    return kept


def verify_counts(ctx: Ctx) -> str:
    counts = database.table_counts(ctx)
    if not counts or not any(counts.values()):
        raise RecoveryStepFailed(f"the restored database is empty: {counts}")
    return "SELECT count(*): " + ", ".join(f"{table} {n}" for table, n in counts.items())


def read_write(ctx: Ctx) -> str:
    return database.read_only(ctx, False)


PROCEDURE = Procedure(
    name="restore_dump",
    description="Read-only, back up the current state, restore the newest dump, verify counts, read-write.",
    options=Options,
    work=Found,
    steps=(
        Step(
            "make sure the database runs",
            "start it, or create it again on a new volume if its host is gone",
            make_sure_it_runs,
            hint="docker start {db_container}",
        ),
        READ_ONLY_ON,
        Step(
            "back up the current state",
            "pg_dump -Fc of what is there now, beside the backups",
            back_up_current,
            hint="pg_dump -Fc '{psql}' > emergency_backup.dump",
        ),
        Step(
            "restore the newest dump",
            "pg_restore -j N of the newest dump from before the fault into a new database, swapped in",
            restore_newest,
            hint="createdb returns_restoring; pg_restore -j 2 -d returns_restoring <newest.dump>; "
            "ALTER DATABASE ... RENAME (the live one aside, the restored one in)",
        ),
        Step(
            "verify counts",
            "SELECT count(*) of every table",
            verify_counts,
            hint="psql '{psql}' -c 'SELECT count(*) FROM orders;'",
        ),
        Step(
            "read-write again",
            "ALTER SYSTEM RESET default_transaction_read_only, reload; the service's read-write mode",
            read_write,
            hint="curl -X POST {app_url}/api/admin/maintenance/readwrite",
        ),
        RESET_CONNECTIONS,
        VERIFY,
    ),
    check=check,
)
