"""Point-in-time recovery: restore the base backup and replay archived WAL up to a
target just before the fault, then promote.

The target is `target_time` if given, else the WAL position the fault recorded
just before it changed data (an accidental DELETE), else the end of the archive
(the primary is gone, not wrong). If
the primary still answers, its current WAL segment is archived first so the
replay reaches the fault. The damaged data directory is kept in the backups
volume, not deleted. A target before the base backup, or a drill without a WAL
archive, is refused before anything is broken.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from drillbook.errors import PluginError, RecoveryStepFailed, ReplicaError
from drillbook.recovery import database
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY
from drillbook.replicas.target import Target


@dataclass(frozen=True)
class Options:
    target_time: str | None = None
    """An ISO 8601 instant with its zone to recover to; None: just before the fault."""
    ready_timeout_s: float = 120.0
    verify_timeout_s: float = 30.0


@dataclass
class Found:
    target: str = ""
    """The recovery target setting (`recovery_target_lsn = ...`, or a comment: the end of the archive)."""


Ctx = StepContext[Options, Found]


def _parse(target_time: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(target_time)
    except ValueError:
        raise PluginError(
            f"The procedure 'pitr' needs `target_time` as an ISO 8601 instant with its zone "
            f"(2026-11-27T10:15:00+00:00); {target_time!r} is not one."
        ) from None
    if when.tzinfo is None:
        raise PluginError(f"The procedure 'pitr' needs `target_time` with its zone (+00:00); {target_time!r} has none.")
    return when


def check(target: Target, options: Options) -> None:
    if not target.backups.wal_archive:
        raise PluginError(
            "The procedure 'pitr' replays archived WAL from a base backup, and this drill archives none. Add "
            "`backups: {wal_archive: true}` to the drill file."
        )
    if options.target_time is not None:
        when = _parse(options.target_time)
        if when.timestamp() < time.time():
            raise PluginError(
                f"The procedure 'pitr' would recover to {options.target_time}, which is before the base backup: "
                "the drill takes it when the replica starts, after now. Nothing can be replayed to an instant "
                "before the base backup; leave `target_time` out to recover to just before the fault."
            )


def _db(ctx: Ctx) -> str:
    return ctx.replica.target.database.service


def find_target(ctx: Ctx) -> str:
    options = ctx.options
    path = ctx.replica.target.backups.path
    taken = database.backup_tool(ctx, f"cat {path}/base/taken_at 2>/dev/null || true")
    if not taken:
        raise RecoveryStepFailed(f"no base backup in {path}/base: point-in-time recovery has nothing to start from")
    base_at = float(taken)
    if options.target_time is not None:
        when = _parse(options.target_time).timestamp()
        setting = f"recovery_target_time = '{options.target_time}'"
    elif ctx.fault_lsn is not None:
        when = ctx.injected_wall or time.time()
        setting = f"recovery_target_lsn = '{ctx.fault_lsn}'"
    else:
        # Nothing to stop short of (the primary is gone, not wrong): everything archived.
        when = ctx.injected_wall or time.time()
        setting = "# no recovery target: replay the whole archive"
    if when < base_at:
        raise RecoveryStepFailed(
            f"the target is {base_at - when:.1f} s before the base backup: nothing can be replayed to it"
        )
    ctx.work.target = setting
    base = dt.datetime.fromtimestamp(base_at, dt.UTC).isoformat(timespec="milliseconds")
    what = "the end of the WAL archive" if setting.startswith("#") else setting
    return f"recover to {what}; base backup taken {base}"


def archive_current(ctx: Ctx) -> str:
    if not database.answers(ctx):
        return "the primary does not answer: recovering from what was archived"
    with database.admin(ctx) as conn:
        row = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
        segment = str(row[0]) if row else ""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            done = conn.execute("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").fetchone()
            if done and str(done[0]) >= segment:
                return f"pg_switch_wal(): segment {segment} archived"
            time.sleep(0.1)
    raise RecoveryStepFailed(f"segment {segment} was not archived within 15 s: the replay would stop short")


def restore_base(ctx: Ctx) -> str:
    replica, db = ctx.replica, _db(ctx)
    try:
        replica.stop(db)
    except ReplicaError:  # a lost host: its container and an empty volume again, not started
        replica.recreate(db, start=False)
    path = replica.target.backups.path
    data = next(iter(replica.target.service(db).volumes.values()))
    kept = f"{path}/damaged-{time.time():.0f}"
    # Whole segments from the archive, else from the stream, else the stream's last, partial one.
    restore = (
        f"cp {path}/wal/%f %p 2>/dev/null || cp {path}/wal-stream/%f %p 2>/dev/null || "
        f"cp {path}/wal-stream/%f.partial %p"
    )
    settings = "\n".join(
        (
            f"restore_command = '{restore}'",
            ctx.work.target,
            "recovery_target_inclusive = off",
            "recovery_target_action = 'promote'",
        )
    )
    script = (
        f"set -e; mkdir -p {kept}; (cd {data} && find . -mindepth 1 -maxdepth 1 -exec mv -t {kept} {{}} +); "
        f"tar -xzf {path}/base/base.tar.gz -C {data}; touch {data}/recovery.signal; "
        f"cat >> {data}/postgresql.auto.conf <<'CONF'\n{settings}\nCONF\n"
    )
    code, output = replica.run_once(db, ["bash", "-c", script])
    if code != 0:
        raise RecoveryStepFailed(f"restoring the base backup failed (exit {code}): {output.strip()[-300:]}")
    target = ctx.work.target
    to = "the end of the archive and the WAL stream" if target.startswith("#") else target
    return f"damaged data directory kept in {kept}; base backup extracted; recovery to {to}"


def replay(ctx: Ctx) -> str:
    options = ctx.options
    replica, db = ctx.replica, _db(ctx)
    started = time.monotonic()
    replica.start_service(db)
    replica.wait_ready(db, options.ready_timeout_s)
    while time.monotonic() - started < options.ready_timeout_s:
        with database.admin(ctx) as conn:
            row = conn.execute(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text "
                "ELSE pg_current_wal_lsn()::text END"
            ).fetchone()
        if row and row[0] is False:
            return f"WAL replayed and promoted after {time.monotonic() - started:.1f} s; now at {row[1]}"
        time.sleep(0.2)
    raise RecoveryStepFailed(f"still in recovery after {options.ready_timeout_s:g} s")


PROCEDURE = Procedure(
    name="pitr",
    description="Restore the base backup, replay archived WAL to just before the fault, promote, verify.",
    options=Options,
    work=Found,
    steps=(
        Step("find the recovery target", "the fault's WAL position (or instant), after the base backup", find_target),
        Step(
            "archive the current WAL", "pg_switch_wal() on the primary if it answers, until archived", archive_current
        ),
        Step(
            "restore the base backup",
            "stop the database, keep its damaged data, extract the base backup, configure recovery",
            restore_base,
        ),
        Step("replay WAL and promote", "start; recovery replays to the target and promotes", replay),
        RESET_CONNECTIONS,
        VERIFY,
    ),
    check=check,
)
