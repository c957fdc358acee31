"""The runbook's alert triggers, as data, and their evaluation over samples.

| rule               | fires when                                      |
|--------------------|-------------------------------------------------|
| health_check_fail  | health endpoint 5xx or unreachable for 2+ min   |
| high_error_rate    | error rate > 10% for 5+ min                     |
| database_down      | a database connection fails                     |
| memory_exhaustion  | memory > 95% of the limit for 3+ min            |
| response_time_slow | mean response time > 2000 ms for 5+ min         |

Windows are multiplied by the drill's `time_scale`, so a CI drill can see a
"5 minute" error rate in 15 seconds; the report says so. Evaluation is a pure
function of the samples, used live (to detect) and at the end (to report).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from drillbook.drills.observe.samples import MemorySample, Sample

Signal = Literal["health", "database", "error_rate", "latency", "memory"]
Severity = Literal["P0", "P1", "P2", "P3"]
BUCKET_S = 1.0


@dataclass(frozen=True)
class AlertRule:
    name: str
    description: str
    signal: Signal
    threshold: float
    window_s: float
    severity: Severity


RULES: tuple[AlertRule, ...] = (
    AlertRule(
        "health_check_fail", "Health endpoint returns 500+ or is unreachable for 2+ minutes", "health", 0.0, 120.0, "P0"
    ),
    AlertRule("high_error_rate", "Error rate >10% for 5+ minutes", "error_rate", 0.10, 300.0, "P1"),
    AlertRule("database_down", "Database connection fails", "database", 0.0, 0.0, "P0"),
    AlertRule("memory_exhaustion", "Memory usage >95% of the limit for 3+ minutes", "memory", 0.95, 180.0, "P1"),
    AlertRule("response_time_slow", "Average response time >2000ms for 5+ minutes", "latency", 2000.0, 300.0, "P2"),
)


@dataclass(frozen=True)
class Alert:
    rule: str
    fired_at: float
    severity: Severity
    window_s: float


def rule_names() -> tuple[str, ...]:
    return tuple(r.name for r in RULES)


def first_sustained(points: Iterable[tuple[float, bool]], window_s: float) -> float | None:
    """The first instant at which the condition has held, unbroken, for `window_s`."""
    since: float | None = None
    for at, condition in points:
        if not condition:
            since = None
            continue
        if since is None:
            since = at
        if at - since >= window_s:
            return at
    return None


def _buckets(samples: Sequence[Sample]) -> dict[int, list[Sample]]:
    grouped: dict[int, list[Sample]] = {}
    for sample in samples:
        grouped.setdefault(math.floor(sample.at / BUCKET_S), []).append(sample)
    return grouped


def _points(
    rule: AlertRule,
    health: Sequence[Sample],
    database: Sequence[Sample],
    load: Sequence[Sample],
    memory: Sequence[MemorySample],
) -> list[tuple[float, bool]]:
    if rule.signal == "health":
        return [(s.at, not s.ok) for s in health]
    if rule.signal == "database":
        return [(s.at, not s.ok) for s in database]
    if rule.signal == "memory":
        return [(m.at, m.limit_bytes > 0 and m.used_bytes > rule.threshold * m.limit_bytes) for m in memory]
    points = []
    for bucket, members in sorted(_buckets(load).items()):
        end = (bucket + 1) * BUCKET_S
        if rule.signal == "error_rate":
            value = sum(not s.ok for s in members) / len(members)
        else:
            value = sum(s.latency_ms for s in members) / len(members)
        # A bucket is judged once it is over; its end is when the rule could know.
        points.append((end, value > rule.threshold))
    return points


def evaluate(
    samples: Sequence[Sample],
    *,
    health_probe: str,
    database_probe: str,
    time_scale: float,
    memory: Sequence[MemorySample] = (),
    rules: Sequence[AlertRule] = RULES,
    since: float = 0.0,
    until: float | None = None,
    windows: Mapping[str, float] | None = None,
) -> list[Alert]:
    """Every rule that fired, at the first instant at or after `since`, in firing order.

    `until` is how far the drill has been observed: a traffic bucket still open then
    cannot be judged yet.
    """
    ordered = sorted((s for s in samples if s.at >= since), key=lambda s: s.at)
    health = [s for s in ordered if s.source == "probe" and s.name == health_probe]
    database = [s for s in ordered if s.source == "probe" and s.name == database_probe]
    load = [s for s in ordered if s.source == "load"]
    mem = sorted((m for m in memory if m.at >= since), key=lambda m: m.at)
    fired = []
    for rule in rules:
        window = (windows or {}).get(rule.name, rule.window_s * time_scale)
        if rule.signal == "memory":
            # Each container against its own limit: one service's calm must not break
            # another's streak.
            per_service = [[m for m in mem if m.service == name] for name in sorted({m.service for m in mem})]
            streams = [_points(rule, health, database, load, samples) for samples in per_service]
        else:
            streams = [_points(rule, health, database, load, mem)]
        times = [
            first_sustained([(t, c) for t, c in points if until is None or t <= until], window) for points in streams
        ]
        at = min((t for t in times if t is not None), default=None)
        if at is not None:
            fired.append(Alert(rule.name, at, rule.severity, window))
    return sorted(fired, key=lambda a: a.fired_at)
