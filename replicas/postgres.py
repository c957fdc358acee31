"""Talking to the replica's PostgreSQL from the host, through 127.0.0.1 only."""

from __future__ import annotations

import psycopg

from drillbook.replicas.target import Database


def conninfo(db: Database, port: int, connect_timeout_s: float = 2.0) -> str:
    return psycopg.conninfo.make_conninfo(
        host="127.0.0.1",
        port=port,
        user=db.user,
        password=db.password,
        dbname=db.dbname,
        connect_timeout=max(1, round(connect_timeout_s)),
        application_name="drillbook",
    )


def answers(db: Database, port: int, timeout_s: float = 2.0) -> bool:
    """True when a real query succeeds: after a restart PostgreSQL logs "ready"
    before it accepts connections, so log lines prove nothing."""
    try:
        with psycopg.connect(conninfo(db, port, timeout_s), autocommit=True) as conn:
            conn.execute("SELECT 1").fetchone()
    except psycopg.Error:
        return False
    return True
