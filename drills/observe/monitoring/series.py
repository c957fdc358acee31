"""A drill's recorded observations as the series the runbook's rules file reads.

One value per step, the newest observation at or before it, the way a scrape
sees a gauge: a probe's last answer (`drillbook_probe_up`), the error ratio and
mean latency of the load's last finished second, each container's memory and
limit. `promtool_test` turns a recorded drill into a `promtool test rules`
file that expects each of drillbook's alerts to fire within a scrape plus an
evaluation interval of when drillbook's own rule fired, and the rules it did
not fire to stay silent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drillbook.contract import ResultDocument
from drillbook.drills.observe import alerts as alert_rules
from drillbook.drills.observe.monitoring.scaling import format_duration

STEP_S = 1.0
"""The scrape and evaluation interval of the recorded series (a scaled drill's floor)."""
LAG_STEPS = 2
"""A scrape plus an evaluation: how far apart Prometheus and drillbook may fire."""


@dataclass(frozen=True)
class Series:
    selector: str
    values: tuple[float | None, ...]
    """One per step from the drill's start; None where nothing had been observed yet."""

    def promtool(self) -> str:
        return " ".join("_" if v is None else _number(v) for v in self.values)


def recorded(doc: ResultDocument) -> list[Series]:
    """Every series of the rules file, stepped over the whole recorded drill."""
    probes = [(str(r[0]), float(r[1]), float(r[2]), bool(r[3])) for r in doc.samples.probes]
    memory = [(m[0], m[1], m[2], m[3]) for m in doc.samples.memory if m[2] is not None and m[3] is not None]
    traffic = doc.samples.traffic
    ends = [end for _n, _s, end, _ok in probes] + [t.t + 1 for t in traffic] + [at for _s, at, _u, _l in memory]
    steps = math.ceil(max(ends, default=0.0) / STEP_S) + LAG_STEPS + 1
    series = []
    for name in sorted({p[0] for p in probes}):
        # A failure stands from when it was asked, a success from when it answered (Sample.at).
        points = [(end if ok else start, 1.0 if ok else 0.0) for n, start, end, ok in probes if n == name]
        series.append(Series(f'drillbook_probe_up{{probe="{name}"}}', _stepped(points, steps)))
    ratio = [(t.t + 1, t.errors / t.requests) for t in traffic if t.requests]
    latency = [(t.t + 1, t.mean_latency_ms / 1000.0) for t in traffic if t.requests]
    series.append(Series("drillbook_load_error_ratio", _stepped(ratio, steps)))
    series.append(Series("drillbook_load_latency_mean_seconds", _stepped(latency, steps)))
    for service in sorted({m[0] for m in memory}):
        mine = [m for m in memory if m[0] == service]
        used = [(at, float(u)) for _s, at, u, _l in mine if u is not None]
        limit = [(at, float(lim)) for _s, at, _u, lim in mine if lim is not None]
        series.append(Series(f'drillbook_container_memory_bytes{{service="{service}"}}', _stepped(used, steps)))
        series.append(Series(f'drillbook_container_memory_limit_bytes{{service="{service}"}}', _stepped(limit, steps)))
    return series


def promtool_test(
    doc: ResultDocument, rules_file: str, rules: Sequence[Mapping[str, Any]], lag: int = LAG_STEPS
) -> dict[str, Any]:
    """A `promtool test rules` document: drillbook's alerts, as Prometheus must see them.

    `rules` are the rules file's alerting rules: their `labels:` and
    `annotations:` are part of the alert Prometheus raises. A rule drillbook
    fired must not fire two steps before it, and must fire `lag` steps after the
    step it fired in (Prometheus's first firing is within a scrape and an
    evaluation of drillbook's when one of lag -1 to 2 holds); one it did not fire
    must be silent after the fault.
    """
    series = recorded(doc)
    steps = len(series[0].values) if series else 0
    fired = {a.rule: a.fired_at for a in doc.alerts}
    injected = doc.measurements.injected_at or 0.0
    checks = []
    for rule in alert_rules.RULES:
        at = fired.get(rule.name)
        if at is None:
            checks += [_silent(rule.name, t) for t in _after(injected, steps)]
            continue
        before = math.floor(at / STEP_S) - LAG_STEPS
        if before * STEP_S > injected:
            checks.append(_silent(rule.name, before))
        firing = max(0, min(math.ceil(at / STEP_S) + lag, steps - 1))
        written = next((r for r in rules if r.get("alert") == rule.name), {})
        matched = [
            {**m, "exp_annotations": dict(written.get("annotations") or {})}
            for m in _firing_labels(rule.name, series, firing, dict(written.get("labels") or {}))
        ]
        checks.append({"eval_time": format_duration(firing * STEP_S), "alertname": rule.name, "exp_alerts": matched})
    return {
        "rule_files": [rules_file],
        "evaluation_interval": format_duration(STEP_S),
        "tests": [
            {
                "interval": format_duration(STEP_S),
                "input_series": [{"series": s.selector, "values": s.promtool()} for s in series],
                "alert_rule_test": checks,
            }
        ],
    }


def _silent(rule: str, step: int) -> dict[str, Any]:
    return {"eval_time": format_duration(step * STEP_S), "alertname": rule, "exp_alerts": []}


def _after(injected: float, steps: int) -> Iterable[int]:
    """A few instants from the fault to the end of the recording, where a rule must be silent."""
    first = math.ceil(injected / STEP_S)
    last = steps - 1
    if last < first:
        return []
    return sorted({first, (first + last) // 2, last})


def _firing_labels(rule: str, series: Sequence[Series], step: int, extra: dict[str, str]) -> list[dict[str, Any]]:
    """The alert(s) the rule raises at `step`: one for each series its condition holds on then."""
    by_selector = {s.selector: s.values[step] for s in series}
    holding = []
    for selector, value in by_selector.items():
        name, _, rest = selector.partition("{")
        own = dict(_pairs(rest.rstrip("}")))
        if value is None:
            continue  # nothing observed: Prometheus keeps no alert on a stale series
        if rule == "memory_exhaustion" and name == "drillbook_container_memory_bytes":
            limit = by_selector.get(selector.replace("_memory_bytes", "_memory_limit_bytes", 1))
            if limit and value / limit > _THRESHOLD[rule]:
                holding.append(own)
            continue
        condition = _CONDITIONS.get((rule, name))
        if condition is not None and condition(own, value):
            holding.append(own)
    return [{"exp_labels": {**own, **extra}} for own in holding]


_THRESHOLD = {r.name: r.threshold for r in alert_rules.RULES}
_CONDITIONS: dict[tuple[str, str], Callable[[dict[str, str], float], bool]] = {
    ("health_check_fail", "drillbook_probe_up"): lambda own, v: own.get("probe") == "health" and v == 0,
    ("database_down", "drillbook_probe_up"): lambda own, v: own.get("probe") == "database" and v == 0,
    ("high_error_rate", "drillbook_load_error_ratio"): lambda _own, v: v > _THRESHOLD["high_error_rate"],
    ("response_time_slow", "drillbook_load_latency_mean_seconds"): lambda _own, v: (
        v * 1000.0 > _THRESHOLD["response_time_slow"]
    ),
}
"""Each rule's condition as the rules file states it (the memory rule divides two series)."""


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(k, v.strip('"')) for k, _, v in (p.partition("=") for p in text.split(",") if p)]


def _stepped(points: Sequence[tuple[float, float]], steps: int) -> tuple[float | None, ...]:
    ordered = sorted(points)
    values: list[float | None] = []
    i, current = 0, None
    for step in range(steps):
        while i < len(ordered) and ordered[i][0] <= step * STEP_S:
            current = ordered[i][1]
            i += 1
        values.append(current)
    return tuple(values)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)
