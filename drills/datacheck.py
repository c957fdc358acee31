"""Reconciling the write ledger against the database itself (SQL, not the app)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import dict_row

from drills.load.ledger import AckedWrite, digest
from drills.measure import LostWrite
from replicas.target import WriteFlow

BATCH = 5000


def reconcile(conninfo: str, sql: str, writes: Sequence[AckedWrite], flows: Sequence[WriteFlow]) -> list[LostWrite]:
    """Every acknowledged write whose row is missing or differs.

    `sql` is the target's query; it receives `%(ids)s`, a text array of ids,
    and returns a column `id` plus one column per field of the write flow.
    """
    fields = {f.name: f.fields for f in flows}
    found: dict[str, dict[str, Any]] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor(row_factory=dict_row) as cur:
        ids = [w.id for w in writes]
        for i in range(0, len(ids), BATCH):
            cur.execute(sql, {"ids": ids[i : i + BATCH]})
            for row in cur.fetchall():
                # A SQL_ASCII database hands text back as bytes; compare it as text.
                found[str(row["id"])] = {
                    k: v.decode(errors="replace") if isinstance(v, bytes) else v for k, v in row.items()
                }
    lost = []
    for write in writes:
        stored = found.get(write.id)
        if stored is None:
            lost.append(LostWrite(write.id, write.acked_at, "missing"))
        elif digest(stored, fields.get(write.flow, ())) != write.digest:
            lost.append(LostWrite(write.id, write.acked_at, "changed"))
    return lost
