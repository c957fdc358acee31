"""Standby failover: promote the standby, point the service at it, verify.

The service keeps its connection string: the database's host name on the
replica's network moves to the promoted standby (as a floating address or a
DNS change would), the old primary leaves the network, and the service's pool
is reset. A drill without a standby is refused before anything starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from drillbook.errors import PluginError, RecoveryStepFailed
from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY
from drillbook.replicas import postgres
from drillbook.replicas.target import Target


@dataclass(frozen=True)
class Options:
    promote_timeout_s: float = 30.0
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, None]


def check(target: Target, options: Options) -> None:
    if target.backups.standby is None:
        raise PluginError(
            "The procedure 'failover' promotes a standby, and this drill runs none. Add "
            "`backups: {standby: {mode: sync}}` (or async) to the drill file, or choose another procedure."
        )


def _standby(ctx: Ctx) -> tuple[str, str]:
    standby = ctx.replica.target.backups.standby
    if standby is None:
        raise RecoveryStepFailed("no standby in this replica")
    db = ctx.replica.target.database
    return standby, postgres.conninfo(db, ctx.replica.ports[standby])


def check_standby(ctx: Ctx) -> str:
    standby, conninfo = _standby(ctx)
    with psycopg.connect(conninfo, autocommit=True, application_name="drillbook-recovery") as conn:
        row = conn.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text, "
            "(SELECT status FROM pg_stat_wal_receiver)"
        ).fetchone()
    if row is None or not row[0]:
        raise RecoveryStepFailed(f"{standby} is not in recovery: it is not a standby (promoted already?)")
    return f"{standby} is a standby: received up to {row[1]}, replayed up to {row[2]}, receiver {row[3] or 'stopped'}"


def promote(ctx: Ctx) -> str:
    options = ctx.options
    standby, conninfo = _standby(ctx)
    with psycopg.connect(conninfo, autocommit=True, application_name="drillbook-recovery") as conn:
        row = conn.execute("SELECT pg_promote(true, %s)", (int(options.promote_timeout_s),)).fetchone()
        if not row or not row[0]:
            raise RecoveryStepFailed(f"pg_promote did not finish within {options.promote_timeout_s:g} s")
        lsn = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    return f"{standby} promoted: a primary at {lsn[0] if lsn else '?'}"


def repoint(ctx: Ctx) -> str:
    standby, _ = _standby(ctx)
    ctx.replica.serve_database(standby)
    host = ctx.replica.target.service(ctx.replica.target.database.service).host
    return f"{host!r} on the replica's network is now {standby}; the old primary left the network"


PROCEDURE = Procedure(
    name="failover",
    description="Promote the standby, point the service at it, reset its pool, verify.",
    options=Options,
    work=nothing,
    steps=(
        Step("check the standby", "in recovery, receiving WAL", check_standby),
        Step(
            "promote the standby",
            "SELECT pg_promote()",
            promote,
            hint="docker exec -u postgres {db_container}-standby psql -c 'SELECT pg_promote()'",
        ),
        Step("point the service at it", "the database's host name moves to the promoted standby", repoint),
        RESET_CONNECTIONS,
        VERIFY,
    ),
    check=check,
    engines=("docker", "swarm"),
)
