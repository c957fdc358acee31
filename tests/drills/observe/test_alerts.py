"""The runbook's alert rules, evaluated on constructed samples."""

from __future__ import annotations

import pytest

from drillbook.drills.observe.alerts import RULES, evaluate, first_sustained
from drillbook.drills.observe.samples import MemorySample, Sample


def health(start: float, end: float, ok: bool) -> list[Sample]:
    return [Sample("probe", "health", t / 10, t / 10 + 0.01, ok) for t in range(int(start * 10), int(end * 10))]


def fired(samples: list[Sample], scale: float = 1.0, **kw: object) -> dict[str, float]:
    alerts = evaluate(samples, health_probe="health", database_probe="database", time_scale=scale, **kw)  # type: ignore[arg-type]
    return {a.rule: a.fired_at for a in alerts}


def test_rules_are_the_runbooks_five() -> None:
    assert {r.name for r in RULES} == {
        "health_check_fail",
        "high_error_rate",
        "database_down",
        "memory_exhaustion",
        "response_time_slow",
    }
    by_name = {r.name: r for r in RULES}
    assert by_name["health_check_fail"].window_s == 120
    assert by_name["high_error_rate"].threshold == 0.10 and by_name["high_error_rate"].window_s == 300
    assert by_name["memory_exhaustion"].threshold == 0.95 and by_name["memory_exhaustion"].window_s == 180
    assert by_name["response_time_slow"].threshold == 2000


def test_first_sustained_resets_on_a_break() -> None:
    points = [(0.0, True), (1.0, True), (1.5, False), (2.0, True), (3.0, True), (4.0, True)]
    assert first_sustained(points, 1.5) == 4.0
    assert first_sustained(points, 0.0) == 0.0
    assert first_sustained(points, 5.0) is None


def test_health_check_fail_needs_its_window_scaled() -> None:
    samples = health(0, 10, True) + health(10, 30, False)
    assert "health_check_fail" not in fired(samples, scale=1.0)  # 2 minutes never reached
    at = fired(samples, scale=0.05)["health_check_fail"]  # 6 s
    assert at == pytest.approx(16.0, abs=0.11)


def test_database_down_fires_on_the_first_failed_connection() -> None:
    samples = [Sample("probe", "database", 5.0, 5.01, True), Sample("probe", "database", 5.1, 6.1, False)]
    assert fired(samples)["database_down"] == pytest.approx(5.1)


def test_error_rate_and_latency_rules_use_per_second_buckets() -> None:
    load = []
    for t in range(0, 400):
        load.append(Sample("load", "r", t / 10, t / 10 + 2.5, t % 4 != 0))  # 25% errors, 2.5 s latency
    got = fired(load, scale=0.01)  # 3 s windows
    assert "high_error_rate" in got and "response_time_slow" in got
    assert fired([s for s in load if s.ok], scale=0.01).keys() == {"response_time_slow"}


def test_memory_exhaustion_over_95_percent() -> None:
    memory = [MemorySample("app", t, 97, 100) for t in range(0, 20)]
    assert fired([], scale=0.05, memory=memory)["memory_exhaustion"] == 9
    calm = [MemorySample("app", t, 90, 100) for t in range(0, 20)]
    assert fired([], scale=0.05, memory=calm) == {}


def test_since_ignores_what_happened_before_the_fault() -> None:
    samples = [Sample("probe", "database", 1.0, 1.5, False), Sample("probe", "database", 2.0, 2.01, True)]
    assert fired(samples, since=1.8) == {}


def test_memory_is_judged_per_container() -> None:
    leaking = [MemorySample("app", t / 4, 97, 100) for t in range(0, 20)]
    calm = [MemorySample("db", t / 4 + 0.1, 10, 100) for t in range(0, 20)]
    assert fired([], scale=0.01, memory=leaking + calm)["memory_exhaustion"] == pytest.approx(1.8, abs=0.26)


def test_a_bucket_still_open_is_not_judged() -> None:
    load = [Sample("load", "r", t / 10, t / 10 + 0.01, False) for t in range(0, 15)]  # all fail, until 1.5 s
    assert "high_error_rate" in fired(load, scale=0.0)
    assert "high_error_rate" not in fired(load, scale=0.0, until=0.9)


def test_per_rule_windows_override_the_scaled_ones() -> None:
    samples = health(0, 10, True) + health(10, 30, False)
    assert fired(samples, scale=1.0, windows={"health_check_fail": 2.0})["health_check_fail"] == pytest.approx(12.0)
