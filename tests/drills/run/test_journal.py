"""The journal on disk, line by line, as `drillbook report` reads it back after a kill."""

from __future__ import annotations

import json
import pathlib

from drillbook.contract import EventKind
from drillbook.drills.run.journal import Journal
from drillbook.drills.run.timeline import Clock, Timeline
from drillbook.reports import documents


def test_every_event_is_on_disk_when_it_is_recorded_and_the_end_closes_it(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "out" / "journal.jsonl"
    journal = Journal(path, {"drill": "d", "drill_id": "d-1", "started_at": "now"})
    timeline = Timeline(Clock(), journal.event)
    timeline.record(EventKind.PHASE, "provisioning")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["type"] for r in rows] == ["header", "event"], "written before close: a kill keeps it"
    assert rows[1]["kind"] == "phase" and rows[1]["detail"] == "provisioning"
    journal.close("passed")
    journal.close("passed")  # idempotent
    journal.event(timeline.record(EventKind.PHASE, "after the end"))  # ignored once closed
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["type"] for r in rows] == ["header", "event", "end"] and rows[-1]["verdict"] == "passed"


def test_a_killed_drills_journal_renders_as_an_incomplete_document(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path, {"drill": "db-outage", "drill_id": "x", "started_at": "now"})
    Timeline(Clock(), journal.event).record(EventKind.FAULT, "injected")
    # no close: the harness was killed here
    doc = documents.load(path)
    assert doc["incomplete"] is True and doc["verdict"] == "error"
    assert [e["kind"] for e in doc["timeline"]] == ["fault"]
