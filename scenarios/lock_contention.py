"""Lock contention: a session takes a lock that order creation needs and keeps it.

A forgotten migration or a report in a transaction left open: `LOCK TABLE` in
an open transaction, then a long statement, from a client that is not the
service (it carries its own application name). Requests touching the table
wait on the lock until they time out. The table is checked before anything is
locked; revert terminates the holder if the procedure did not.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Literal

import psycopg
from psycopg import sql

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Addresses
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario

LockMode = Literal["access exclusive", "exclusive", "share"]
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


def check(target: Target, table: str = "orders", mode: LockMode = "access exclusive", holder: str = "report") -> None:
    if not IDENTIFIER.match(table):
        raise PluginError(
            f"The scenario 'lock_contention' needs `table` to be a plain table name (schema.table at most); "
            f"{table!r} is not one."
        )
    if holder.startswith("drillbook"):
        raise PluginError(
            "The scenario 'lock_contention' needs a `holder` application name that does not start with "
            "'drillbook': procedures never touch drillbook's own sessions, so nothing could end this one."
        )


@contextmanager
def inject(
    replica: Addresses, table: str = "orders", mode: LockMode = "access exclusive", holder: str = "report"
) -> Iterator[Fault]:
    check(replica.target, table, mode, holder)
    with psycopg.connect(replica.db_conninfo(), autocommit=True) as probe:
        found = probe.execute("SELECT to_regclass(%s)", (table,)).fetchone()
    if found is None or found[0] is None:
        raise PluginError(
            f"The scenario 'lock_contention' would lock table {table!r}, which the database "
            f"{replica.target.database.dbname!r} does not have; nothing was locked. Name an existing table "
            "in the drill's `with: table:`."
        )
    conn = psycopg.connect(replica.db_conninfo(), autocommit=False, application_name=holder)
    pid = int(conn.info.backend_pid)
    locked = threading.Event()

    def hold() -> None:
        with suppress(psycopg.Error):  # ended by pg_terminate_backend: that is the point
            conn.execute(
                sql.SQL("LOCK TABLE {} IN {} MODE").format(sql.Identifier(*table.split(".")), sql.SQL(mode.upper()))
            )
            locked.set()
            conn.execute("SELECT pg_sleep(86400) /* nightly report, never finishes */")

    def revert() -> str | None:
        ended = _terminate(replica, pid)
        conn.close()
        return f"terminated the lock holder (pid {pid})" if ended else None

    fault = Fault(f"{holder!r} (pid {pid}) holds {mode.upper()} on {table} in an open transaction", revert)
    try:
        threading.Thread(target=hold, name="drillbook-lock-holder", daemon=True).start()
        if not locked.wait(10):
            raise PluginError(f"The scenario 'lock_contention' could not lock {table} within 10 s (another lock?).")
        fault.began = time.monotonic()
        yield fault
    finally:
        fault.revert()


def _terminate(replica: Addresses, pid: int) -> bool:
    try:
        with psycopg.connect(replica.db_conninfo(), autocommit=True) as admin:
            row = admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
    except psycopg.Error:
        return False  # the database is gone with its sessions
    return bool(row and row[0])


SCENARIO = Scenario(
    name="lock_contention",
    description="A session outside the service takes a table lock in an open transaction and keeps it.",
    expected_alerts=("high_error_rate", "health_check_fail", "response_time_slow"),
    expected_recovery="terminate_long_queries",
    rehearses=("performance-severely-degraded", "major-features-broken"),
    steps=(
        "check that the table exists (nothing is locked otherwise)",
        "open a transaction as another client, LOCK TABLE, then run a statement that never ends",
        "requests that touch the table wait on the lock until they time out",
    ),
    inject=inject,
    check=check,
)
