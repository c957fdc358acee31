"""Loading what a drill left behind: its result document, or else its journal.

A drill whose harness was killed has no `result.json`, only `journal.jsonl`
(one JSON object a line: header, events, end). From the journal this module
builds a partial document with the contract's fields, marked `incomplete`, so
every report can render it and say plainly what is missing.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

from pydantic import ValidationError

from drillbook import inputs
from drillbook.contract import JOURNAL_FILE, MEASUREMENTS, READABLE, RESULT_FILE, Event, ResultDocument
from drillbook.errors import ResultError


class DocumentError(ResultError):
    """The path holds neither a result document nor a journal."""


def load(path: pathlib.Path) -> dict[str, Any]:
    if path.is_dir():
        path = path / RESULT_FILE if (path / RESULT_FILE).exists() else path / JOURNAL_FILE
    text = inputs.read_text(path, "result", inputs.MAX_DOCUMENT_BYTES, DocumentError)
    if path.suffix == ".jsonl":
        return from_journal(text, path)
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise DocumentError(f"{path} is not JSON ({str(exc)[:200]})") from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise DocumentError(f"{path} is not a drillbook result document (no schema_version)")
    if document["schema_version"] not in READABLE:
        raise DocumentError(
            f"{path} has schema_version {str(document['schema_version'])[:40]!r}; this drillbook reads versions "
            f"{' and '.join(READABLE)}"
        )
    try:
        ResultDocument.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise DocumentError(
            f"{path} is not a whole drillbook result document ({exc.error_count()} problems; first: {field}: "
            f"{first['msg']})"
        ) from None
    return document


def from_journal(text: str, path: pathlib.Path) -> dict[str, Any]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            break  # a line cut by the kill: everything before it stands
        if not isinstance(row, dict):
            raise DocumentError(f"{path}:{number} is not a journal entry (a JSON object): not a drill's journal")
        rows.append(row)
    header = next((r for r in rows if r.get("type") == "header"), None)
    if header is None:
        raise DocumentError(f"{path} is not a drillbook journal (no header line)")
    events = [{k: r.get(k) for k in ("t", "wall", "kind", "detail")} for r in rows if r.get("type") == "event"]
    try:
        checked = [Event.model_validate(e) for e in events]
    except ValidationError as exc:
        raise DocumentError(f"{path} holds an event drillbook did not write ({exc.errors()[0]['msg']!s})") from None
    end = next((r for r in rows if r.get("type") == "end"), None)
    if end is not None and end.get("verdict") not in ("passed", "failed", "error", "interrupted"):
        raise DocumentError(f"{path} ends with a verdict drillbook does not write: {str(end.get('verdict'))[:40]!r}")
    if not isinstance(header.get("drill", "?"), str):
        raise DocumentError(f"{path}'s header names no drill")
    last = checked[-1].t if checked else 0.0
    missing = "measurements, objectives, alerts and the data check"
    return {
        "schema_version": READABLE[-1],
        "incomplete": True,
        "drill": header.get("drill", "?"),
        "drill_id": header.get("drill_id"),
        "verdict": end["verdict"] if end else "error",
        "error": (
            f"The harness stopped before the drill finished (killed?): this report is built from its journal, "
            f"which ends {last:.2f} s into the drill. Missing: {missing}. Run `drillbook cleanup` if the "
            "replica was left behind."
        ),
        "started_at": header.get("started_at"),
        "time_scale": header.get("time_scale", 1.0),
        "tier": header.get("tier"),
        "target": header.get("target"),
        "scenario": header.get("scenario"),
        "recovery": header.get("recovery"),
        "measurements": dict.fromkeys(MEASUREMENTS),
        "objectives": [],
        "checks": [],
        "alerts": [],
        "recovery_steps": [],
        "timeline": events,
    }
