"""The records the load process writes and the harness reads back.

Two append-only JSON-lines files: every request (start, end, outcome), and
every acknowledged write (id, digest of its payload, when it was acked). Times
are `time.monotonic()` readings, which Linux shares across processes, so they
sit on the drill's clock without any conversion but an offset.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

REQUESTS_FILE = "requests.jsonl"
LEDGER_FILE = "ledger.jsonl"


def digest(payload: Mapping[str, Any], fields: Iterable[str]) -> str:
    """The digest of a write's payload, comparable with the row in the database."""
    canonical = json.dumps({f: payload.get(f) for f in fields}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class RequestRecord:
    name: str
    method: str
    start: float
    end: float
    ok: bool
    status: int
    error: str | None


@dataclass(frozen=True)
class AckedWrite:
    flow: str
    id: str
    digest: str
    acked_at: float


class Tail:
    """Reads the complete lines appended to a file since the last call."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def read(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            fh.seek(self._offset)
            chunk = fh.read()
            self._offset = fh.tell()
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if line.strip():
                yield json.loads(line)


def parse_request(row: Mapping[str, Any]) -> RequestRecord:
    return RequestRecord(
        name=str(row["n"]),
        method=str(row["m"]),
        start=float(row["s"]),
        end=float(row["e"]),
        ok=bool(row["ok"]),
        status=int(row["st"]),
        error=row.get("err"),
    )


def parse_write(row: Mapping[str, Any]) -> AckedWrite:
    return AckedWrite(flow=str(row["f"]), id=str(row["id"]), digest=str(row["d"]), acked_at=float(row["a"]))
