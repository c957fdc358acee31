"""The websocket-outage drill, for real: the HTTP service degrades and stays up, the load's
WebSocket clients all lose the stream at the kill and all come back after the restart."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from tests.conftest import catalog_drill


@pytest.mark.docker
@pytest.mark.quiet
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_dead_websocket_worker_disconnects_every_client_until_the_restart(tmp_path: pathlib.Path) -> None:
    result = DrillRunner(spec.load(catalog_drill("websocket-outage", tmp_path)), tmp_path / "out").run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", (result.error, doc["checks"])
    m, stream = doc["measurements"], doc["stream"]
    assert m["downtime_s"] == 0.0 and m["degraded_s"] > 0.5 and m["lost_writes"] == 0
    assert stream["clients"] == stream["connected_at_injection"] == stream["disconnected"] == stream["reconnected"] == 8
    # Every client lost the stream within a second of the kill, and was away until the new worker ran.
    assert 0 <= stream["first_lost_at"] - m["injected_at"] < 1.0
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    started = steps["start a new service"]["finished_at"]
    assert stream["last_back_at"] >= steps["start a new service"]["started_at"]
    assert stream["last_back_at"] - started < 3.0  # clients retry every 0.1 s
    assert stream["longest_s"] >= started - m["injected_at"] - 1.0
    assert {c["name"]: c["ok"] for c in doc["checks"]}["stream_reconnected"] is True
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "8 of 8 live-stream (WebSocket) clients were disconnected" in summary and "every one reconnected" in summary
    assert any(e["kind"] == "stream" and "lost /ws/drivers" in e["detail"] for e in doc["timeline"])
