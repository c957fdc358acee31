"""Reconciling the write ledger against the database itself (SQL, not the app).

The query's contract (docs/design.md, "The data check"): it receives `%(ids)s`,
the acknowledged ids as a text array, and returns a column `id` plus one column
named after each compared field of the write flows. Both sides are normalised
the same way (`drills.load.ledger.normalise`) before they are compared, so
the string `"0"` a JSON payload sent and the integer `0` a column holds agree.
A query that does not return those columns is the check's fault, not lost data:
it is refused with the columns it did return.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import dict_row

from drillbook.drills.judge.measure import LostWrite
from drillbook.drills.observe.load.ledger import AckedWrite, compared, digest
from drillbook.errors import DrillbookError
from drillbook.replicas.target import WriteFlow

BATCH = 5000


class DataCheckContractError(DrillbookError):
    """The data check's query does not return the columns the comparison needs."""


def reconcile(conninfo: str, sql: str, writes: Sequence[AckedWrite], flows: Sequence[WriteFlow]) -> list[LostWrite]:
    """Every acknowledged write whose row is missing or differs."""
    fields = {f.name: f.fields for f in flows}
    found: dict[str, dict[str, Any]] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor(row_factory=dict_row) as cur:
        ids = [w.id for w in writes]
        for i in range(0, max(len(ids), 1), BATCH):  # run once with no ids too: the columns are checked
            cur.execute(sql, {"ids": ids[i : i + BATCH]})
            check_columns(sql, [c.name for c in cur.description or ()], flows)
            for row in cur.fetchall():
                found[str(row["id"])] = row
    lost = []
    for write in writes:
        stored = found.get(write.id)
        names = fields.get(write.flow, ())
        if stored is None:
            lost.append(LostWrite(write.id, write.acked_at, "missing", "no row with this id"))
        elif digest(stored, names) != write.digest:
            lost.append(LostWrite(write.id, write.acked_at, "changed", difference(write, stored, names)))
    return lost


def check_columns(sql: str, columns: list[str], flows: Sequence[WriteFlow]) -> None:
    needed = list(dict.fromkeys(["id", *(f for flow in flows for f in flow.fields)]))
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DataCheckContractError(
            f"The data check's query returned the columns {', '.join(columns) or '(none)'}, but it must return "
            f"`id` and one column per compared field ({', '.join(needed)}); missing: {', '.join(missing)}. "
            f"Name them with AS in data_check.sql (for example `SELECT run_uuid AS id, ...`). The query was: {sql}"
        )


def difference(write: AckedWrite, stored: dict[str, Any], names: Sequence[str]) -> str:
    """The first field whose acknowledged and stored values differ, both shown normalised."""
    row = compared(stored, names)
    for name in names:
        if name in write.fields and write.fields[name] != row.get(name):
            return f"field {name}: acknowledged {write.fields[name]!r}, stored {row.get(name)!r}"
    return "the stored fields' digest differs from the acknowledged payload's"


def misconfigured(lost: Sequence[LostWrite], writes: Sequence[AckedWrite], sql: str) -> str:
    """The refusal of a data check that does not find writes acknowledged before any fault."""
    first = lost[0]
    sent = next((w for w in writes if w.id == first.id), None)
    shown = f"; the load sent {dict(sent.fields)}" if sent is not None else ""
    what = "returned no row for it" if first.reason == "missing" else f"differs: {first.detail}"
    return (
        f"The data check is misconfigured: {len(lost)} of {len(writes)} writes acknowledged before any fault are "
        f"not found as they were sent, so it would report lost writes that are not. First: write {first.id!r}: "
        f"the query {what}{shown}. Fix target.data_check.sql (it gets the ids as %(ids)s and must return `id` and "
        f"each compared field) or the write flow's id_field and fields; `drillbook plan` runs this test on a quiet "
        f"replica. The query was: {sql}"
    )
