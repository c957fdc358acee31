"""What drillbook pushes: the gauges the runbook rules read, from its own observations."""

from __future__ import annotations

import json
import pathlib
import time

import pytest
from prometheus_client import generate_latest

from drillbook.contract import EventKind
from drillbook.drills.observe.monitoring import promtool
from drillbook.drills.observe.monitoring.monitor import Delivery, Monitor
from drillbook.drills.observe.samples import MemorySample, Sample


def _monitor(tmp_path: pathlib.Path, now: float, requests: list[dict[str, object]]) -> Monitor:
    file = tmp_path / "requests.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in requests))
    probes = [
        Sample("probe", "health", 1.0, 1.1, True),
        Sample("probe", "health", 2.0, 3.0, False),
        Sample("probe", "database", 2.0, 2.1, True),
    ]
    memory = [MemorySample("app", 1.0, 100, 1000), MemorySample("app", 2.0, 950, 1000)]
    events: list[tuple[EventKind, str, float | None]] = []
    return Monitor(
        {"pushgateway": "http://127.0.0.1:9", "alertsink": "http://127.0.0.1:9", "alertmanager": "http://127.0.0.1:9"},
        probes=lambda: probes,
        memory=lambda: memory,
        requests_file=file,
        now=lambda: now,
        to_drill_clock=lambda unix: unix,
        from_monotonic=lambda mono: mono,
        on_event=lambda k, d, t: events.append((k, d, t)),
        interval_s=0.5,
    )


def _request(start: float, end: float, ok: bool) -> dict[str, object]:
    return {"n": "orders", "m": "POST", "s": start, "e": end, "ok": ok, "st": 200 if ok else 500}


def test_the_gauges_are_the_last_answers_and_the_last_whole_second(tmp_path: pathlib.Path) -> None:
    # Second 3 (the last whole one at 4.5): one of two requests failed; second 4 is unfinished.
    requests = [_request(3.1, 3.3, True), _request(3.2, 3.9, False), _request(4.1, 4.2, False)]
    text = generate_latest(_monitor(tmp_path, 4.5, requests).registry()).decode()
    assert 'drillbook_probe_up{probe="health"} 0.0' in text  # the failure asked at 2.0 is newer than 1.1
    assert 'drillbook_probe_up{probe="database"} 1.0' in text
    assert "drillbook_load_error_ratio 0.5" in text
    latency = next(line for line in text.splitlines() if line.startswith("drillbook_load_latency_mean_seconds "))
    assert float(latency.split()[1]) == pytest.approx(0.45)
    assert 'drillbook_container_memory_bytes{service="app"} 950.0' in text
    assert 'drillbook_container_memory_limit_bytes{service="app"} 1000.0' in text
    assert promtool.check_metrics(text) == ""


def test_a_second_without_requests_keeps_the_last_ratio(tmp_path: pathlib.Path) -> None:
    monitor = _monitor(tmp_path, 4.5, [_request(3.1, 3.3, False)])
    monitor.registry()
    monitor._now = lambda: 7.5  # seconds 4 to 6 had no request
    assert "drillbook_load_error_ratio 1.0" in generate_latest(monitor.registry()).decode()


def test_a_push_that_fails_is_said_once_and_the_drill_goes_on(tmp_path: pathlib.Path) -> None:
    events: list[str] = []
    monitor = _monitor(tmp_path, 1.0, [])
    monitor._on_event = lambda _k, detail, _t: events.append(detail)
    started = time.monotonic()
    monitor.tick()
    monitor.tick()
    assert time.monotonic() - started < 10
    assert sum("could not push to the Pushgateway" in e for e in events) == 1
    assert sum("could not read the alert sink" in e for e in events) == 1
    assert sum("could not read Alertmanager's alerts" in e for e in events) == 1


def test_what_is_firing_now_is_each_alerts_newest_notification(tmp_path: pathlib.Path) -> None:
    monitor = _monitor(tmp_path, 1.0, [])
    monitor._shown = lambda d: d.receiver != "drillbook-runbook"
    a, b = (("alertname", "A"),), (("alertname", "B"),)
    monitor.deliveries = [
        Delivery(1.0, "oncall", "firing", a),
        Delivery(2.0, "oncall", "firing", b),
        Delivery(3.0, "oncall", "resolved", a),
        Delivery(3.5, "drillbook-runbook", "firing", (("alertname", "database_down"),)),
    ]
    assert [d.name for d in monitor.firing_now()] == ["B"]
