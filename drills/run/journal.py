"""The drill's journal: every event appended to disk the moment it happens.

A harness killed with SIGKILL writes no result, but its journal holds the
record up to the kill; `drillbook report` renders it, marked incomplete.
Each line is one JSON object: a header, the events, and an end line.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import IO, Any

from drillbook.drills.run.timeline import Event


class Journal:
    def __init__(self, path: pathlib.Path, header: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh: IO[str] | None = path.open("w", buffering=1)
        self._write({"type": "header", **header})

    def _write(self, row: dict[str, Any]) -> None:
        if self._fh is None:
            return
        self._fh.write(json.dumps(row, default=str) + "\n")
        self._fh.flush()

    def event(self, event: Event) -> None:
        self._write({"type": "event", "t": event.t, "wall": event.wall, "kind": event.kind, "detail": event.detail})

    def close(self, verdict: str) -> None:
        if self._fh is None:
            return
        self._write({"type": "end", "verdict": verdict})
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
