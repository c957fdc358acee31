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

from reports.fields import MEASUREMENTS

RESULT_FILE = "result.json"
JOURNAL_FILE = "journal.jsonl"


class DocumentError(ValueError):
    """The path holds neither a result document nor a journal."""


def load(path: pathlib.Path) -> dict[str, Any]:
    if path.is_dir():
        path = path / RESULT_FILE if (path / RESULT_FILE).exists() else path / JOURNAL_FILE
    try:
        text = path.read_text()
    except OSError as exc:
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if path.suffix == ".jsonl":
        return from_journal(text, path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{path} is not JSON ({exc})") from exc
    if not isinstance(document, dict) or "schema_version" not in document:
        raise DocumentError(f"{path} is not a drillbook result document (no schema_version)")
    return document


def from_journal(text: str, path: pathlib.Path) -> dict[str, Any]:
    rows = []
    for line in text.splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut by the kill: everything before it stands
    header = next((r for r in rows if r.get("type") == "header"), None)
    if header is None:
        raise DocumentError(f"{path} is not a drillbook journal (no header line)")
    events = [{k: r.get(k) for k in ("t", "wall", "kind", "detail")} for r in rows if r.get("type") == "event"]
    end = next((r for r in rows if r.get("type") == "end"), None)
    last = events[-1]["t"] if events else 0.0
    missing = "measurements, objectives, alerts and the data check"
    return {
        "schema_version": "1",
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
