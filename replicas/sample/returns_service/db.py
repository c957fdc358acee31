"""The database side of the service: a pool that heals itself, and a deadline.

psycopg has no client-side query timeout, and a paused database never answers:
every call therefore runs on a worker thread and the request gives up after
`DB_TIMEOUT_S`, so users get a 503 with a reason instead of a hung socket.
"""

from __future__ import annotations

import concurrent.futures
import os
import pathlib
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

T = TypeVar("T")

DB_TIMEOUT_S = float(os.environ.get("DB_TIMEOUT_S", "1.0"))
# Pools replace their connections now and then (psycopg's default: after an hour), so
# a server that accepts no new connection shows in the service within that time.
DB_POOL_MAX_LIFETIME_S = float(os.environ.get("DB_POOL_MAX_LIFETIME_S", "3600"))
# Connections opened ahead of need. One by default; a slow path to the database makes
# every new connection cost several slow round trips, so a drill of that path opens
# them all before the fault, as a service tuned for a slow network would.
DB_POOL_MIN_SIZE = int(os.environ.get("DB_POOL_MIN_SIZE", "1"))


SCHEMA_LOCK = 0x5E7F
"""The advisory lock the service's replicas take to apply the schema one at a time."""


class DatabaseUnavailable(Exception):
    """The database did not answer in time or refused the connection."""


class Database:
    def __init__(self, url: str, pool_size: int) -> None:
        self._url = url
        self._pool_size = pool_size
        self._pool = self._new_pool()
        self._workers = concurrent.futures.ThreadPoolExecutor(max_workers=pool_size * 2)

    def _new_pool(self) -> ConnectionPool:
        return ConnectionPool(
            self._url,
            min_size=min(DB_POOL_MIN_SIZE, self._pool_size),
            max_size=self._pool_size,
            timeout=DB_TIMEOUT_S,
            max_lifetime=DB_POOL_MAX_LIFETIME_S,
            # A connection that died with the server is found out here and
            # replaced before a request uses it: the pool heals after an outage.
            check=ConnectionPool.check_connection,
            reconnect_timeout=3600,
            kwargs={"connect_timeout": 2, "autocommit": False},
            open=False,
        )

    def open(self, wait_s: float = 120.0) -> None:
        """Wait for the database, apply the schema, then open the pool.

        The wait is a plain connection retried every 0.1 s: the pool's own
        reconnection backs off for seconds, which would make a service that starts
        beside its database come up long after the database did.
        """
        deadline = time.monotonic() + wait_s
        schema = (pathlib.Path(__file__).parent / "schema.sql").read_text()
        while True:
            try:
                with psycopg.connect(self._url, connect_timeout=2) as conn:
                    # Replicas starting together each apply the schema; one at a time, or two
                    # `CREATE TABLE IF NOT EXISTS` of one table race and one of them fails.
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                    conn.execute(schema)
                break
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise DatabaseUnavailable(f"database not reachable: {exc}") from exc
                time.sleep(0.1)
        self._pool.open()

    def run(self, work: Callable[[psycopg.Connection], T]) -> T:
        """Run `work` in a transaction, within the deadline."""

        def call() -> T:
            with self._pool.connection() as conn:
                return work(conn)

        future = self._workers.submit(call)
        try:
            return future.result(timeout=DB_TIMEOUT_S + 0.5)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise DatabaseUnavailable(f"database did not answer within {DB_TIMEOUT_S:g} s") from exc
        except PoolTimeout as exc:
            raise DatabaseUnavailable(f"no database connection within {DB_TIMEOUT_S:g} s") from exc
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseUnavailable(f"database unreachable: {reason}") from exc

    def reset(self) -> None:
        """The runbook's "restart database connection pool": drop every connection."""
        old = self._pool
        self._pool = self._new_pool()
        self._pool.open()
        old.close(timeout=1.0)

    def stats(self) -> dict[str, int]:
        return dict(self._pool.get_stats())
