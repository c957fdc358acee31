"""Data corruption: an accidental destructive statement, run by hand in production.

`delete_recent` deletes the orders of the last `recent_s` seconds (a cleanup
script with the wrong sign), `drop_table` drops the table. The WAL position
just before it is recorded, so a point-in-time recovery can stop there. The
service keeps answering after a DELETE: users see their orders gone, not an
error. Nothing is reverted: deleted rows come back only from backups.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import psycopg
from psycopg import sql

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Addresses
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario

Statement = Literal["delete_recent", "drop_table"]
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def check(
    target: Target, statement: Statement = "delete_recent", table: str = "orders", recent_s: float = 30.0
) -> None:
    if not IDENTIFIER.match(table):
        raise PluginError(f"The scenario 'data_corruption' needs `table` to be a plain table name; {table!r} is not.")
    if statement == "delete_recent" and not 0 < recent_s <= 86400:
        raise PluginError(f"The scenario 'data_corruption' needs `recent_s` between 0 and 86400; {recent_s!r} is not.")


@contextmanager
def inject(
    replica: Addresses, statement: Statement = "delete_recent", table: str = "orders", recent_s: float = 30.0
) -> Iterator[Fault]:
    check(replica.target, statement, table, recent_s)
    name = sql.Identifier(table)
    with psycopg.connect(replica.db_conninfo(), autocommit=True, application_name="psql") as conn:
        found = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        if found is None or found[0] is None:
            raise PluginError(
                f"The scenario 'data_corruption' would change table {table!r}, which the database does not have; "
                "nothing was changed. Name an existing table in the drill's `with: table:`."
            )
        if statement == "delete_recent":
            columns = conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'created_at'",
                (table,),
            ).fetchone()
            if columns is None:
                raise PluginError(
                    f"The scenario 'data_corruption' deletes recent rows by `created_at`, which table {table!r} "
                    "does not have; nothing was changed."
                )
        lsn_row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        fault = Fault(f"{statement} on {table}", lambda: None)
        fault.lsn = str(lsn_row[0]) if lsn_row else None
        fault.began = time.monotonic()
        try:
            if statement == "delete_recent":
                cur = conn.execute(
                    sql.SQL("DELETE FROM {} WHERE created_at > now() - make_interval(secs => %s)").format(name),
                    (recent_s,),
                )
                fault.description = (
                    f"DELETE FROM {table} WHERE created_at > now() - {recent_s:g} s: {cur.rowcount} rows deleted "
                    f"(WAL position before it: {fault.lsn})"
                )
            else:
                conn.execute(sql.SQL("DROP TABLE {} CASCADE").format(name))
                fault.description = f"DROP TABLE {table} CASCADE (WAL position before it: {fault.lsn})"
            yield fault
        finally:
            fault.revert()


SCENARIO = Scenario(
    name="data_corruption",
    description="An accidental DELETE of recent orders, or a DROP TABLE, run by hand.",
    expected_alerts=("high_error_rate", "health_check_fail"),
    expected_recovery="pitr",
    rehearses=("data-loss-or-corruption",),
    steps=(
        "check that the table (and its created_at, for a DELETE) exists; nothing is changed otherwise",
        "record the WAL position, then run the statement as an operator's psql session",
    ),
    inject=inject,
    check=check,
)
