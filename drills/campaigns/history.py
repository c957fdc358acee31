"""Every drill result, kept in SQLite so trends and regressions can be seen.

The file is the user's to choose (`--history`); by default it lives under
the working folder, in `.drillbook/history.db`. Each row keeps the headline
figures for listing and the whole result document for rendering again.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3
from dataclasses import dataclass
from typing import Any

import pydantic

from drillbook.contract import ResultDocument
from drillbook.errors import ResultError

DEFAULT_PATH = pathlib.Path(".drillbook") / "history.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    drill_id      TEXT PRIMARY KEY,
    drill         TEXT NOT NULL,
    started_at    TEXT,
    verdict       TEXT NOT NULL,
    downtime_s    REAL,
    rto_target_s  REAL,
    rpo_s         REAL,
    rpo_target_s  REAL,
    lost_writes   INTEGER,
    result_path   TEXT,
    document      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_drill ON runs (drill, started_at);
"""


@dataclass(frozen=True)
class Run:
    drill_id: str
    drill: str
    started_at: str | None
    verdict: str
    downtime_s: float | None
    rto_target_s: float | None
    rpo_s: float | None
    rpo_target_s: float | None
    lost_writes: int | None
    result_path: str | None


class History:
    def __init__(self, path: pathlib.Path = DEFAULT_PATH) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path)
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ResultError(
                f"Cannot open the drill history at {path}: {exc}. Choose another file with --history."
            ) from exc

    def close(self) -> None:
        self._db.close()

    def add(self, doc: dict[str, Any], result_path: pathlib.Path | None) -> None:
        objectives = {o["name"]: o for o in doc.get("objectives", [])}
        m = doc.get("measurements", {})
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.get("drill_id") or f"{doc['drill']}@{doc.get('started_at')}",
                    doc["drill"],
                    doc.get("started_at"),
                    doc["verdict"],
                    m.get("downtime_s"),
                    (objectives.get("RTO") or {}).get("target_s"),
                    m.get("rpo_s"),
                    (objectives.get("RPO") or {}).get("target_s"),
                    m.get("lost_writes"),
                    str(result_path) if result_path else None,
                    json.dumps(doc),
                ),
            )

    def runs(self, drill: str | None = None, limit: int = 200) -> list[Run]:
        sql = (
            "SELECT drill_id, drill, started_at, verdict, downtime_s, rto_target_s, rpo_s, rpo_target_s, "
            "lost_writes, result_path FROM runs"
        )
        args: tuple[Any, ...] = ()
        if drill:
            sql += " WHERE drill = ?"
            args = (drill,)
        sql += " ORDER BY started_at DESC LIMIT ?"
        return [Run(*row) for row in self._db.execute(sql, (*args, limit))]

    def results(self, drill: str | None = None) -> list[ResultDocument]:
        """The stored documents as the result schema reads them; one that no longer reads is skipped."""
        read = []
        for doc in self.documents(drill):
            try:
                read.append(ResultDocument.model_validate(doc))
            except pydantic.ValidationError:
                continue
        return read

    def documents(self, drill: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT document FROM runs"
        args: tuple[str, ...] = ()
        if drill:
            sql, args = sql + " WHERE drill = ?", (drill,)
        rows = self._db.execute(sql + " ORDER BY started_at", args)
        return [json.loads(row[0]) for row in rows]
