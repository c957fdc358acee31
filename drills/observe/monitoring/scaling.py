"""A team's alerting rules on a scaled drill's clock, every rewrite listed.

A drill with `alerts.time_scale: 0.05` sees the runbook's "2 minutes" in 6 s;
the team's rules are loaded as they are written, and only their durations are
scaled: each rule's `for:`, each group's `interval:`, and the range selectors,
subqueries and offsets inside `expr`. No duration goes below what the engine
can honour: a `for:` below the evaluation interval, or a range too short to
hold a few scrapes, would not mean what the team wrote. Each rewrite is kept,
so the report can say exactly which rule now reads what.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCRAPE_INTERVAL_S = 15.0
"""The team's scrape and evaluation interval when it names none (Prometheus's example configuration)."""
FLOOR_INTERVAL_S = 1.0
"""The shortest scrape and evaluation interval a scaled drill uses."""
RANGE_SCRAPES = 4
"""A range selector keeps at least this many scrapes: `rate()` needs two, and one may be missed."""

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0, "y": 31536000.0}
_DURATION = re.compile(r"^(?:\d+(?:ms|[smhdwy]))+$")
_PART = re.compile(r"(\d+)(ms|[smhdwy])")
# A range selector or subquery `[5m]` / `[5m:30s]` / `[1h:]`, and an `offset 5m`.
_RANGE = re.compile(r"\[\s*((?:\d+(?:ms|[smhdwy]))+)\s*(?::\s*((?:\d+(?:ms|[smhdwy]))+)?\s*)?\]")
_OFFSET = re.compile(r"(\boffset\s+)(-?)((?:\d+(?:ms|[smhdwy]))+)")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")


@dataclass(frozen=True)
class Rewrite:
    group: str
    rule: str
    """The alert's (or recording rule's) name; empty for the group itself."""
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Intervals:
    scrape_s: float
    evaluation_s: float

    @property
    def shortest_range_s(self) -> float:
        return RANGE_SCRAPES * self.scrape_s


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration (`1h30m`, `90s`, `500ms`); ValueError for anything else."""
    if not _DURATION.match(text):
        raise ValueError(f"{text!r} is not a Prometheus duration (for example 30s, 5m, 1h30m)")
    return sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text))


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for `seconds`, to the millisecond."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    if ms % 1000:
        return f"{ms}ms"
    s = ms // 1000
    for unit, size in (("h", 3600), ("m", 60)):
        if s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"


def intervals(time_scale: float, scrape_s: float = SCRAPE_INTERVAL_S) -> Intervals:
    scaled = max(FLOOR_INTERVAL_S, scrape_s * time_scale)
    return Intervals(scaled, scaled)


def scale_rules(
    document: Mapping[str, Any], time_scale: float, every: Intervals
) -> tuple[dict[str, Any], list[Rewrite]]:
    """The rules document with its durations scaled, and what was rewritten (nothing at scale 1)."""
    rewrites: list[Rewrite] = []
    groups = []
    for group in document.get("groups") or []:
        name = str(group.get("name", ""))
        scaled_group = dict(group)
        if "interval" in group:
            scaled_group["interval"] = _scaled(
                str(group["interval"]), time_scale, every.evaluation_s, Rewrite(name, "", "interval", "", ""), rewrites
            )
        rules = []
        for rule in group.get("rules") or []:
            label = str(rule.get("alert") or rule.get("record") or "")
            scaled_rule = dict(rule)
            if "for" in rule:
                scaled_rule["for"] = _scaled(
                    str(rule["for"]), time_scale, every.evaluation_s, Rewrite(name, label, "for", "", ""), rewrites
                )
            if "expr" in rule:
                expr = scale_expr(str(rule["expr"]), time_scale, every)
                if expr != str(rule["expr"]):
                    rewrites.append(Rewrite(name, label, "expr", str(rule["expr"]), expr))
                scaled_rule["expr"] = expr
            rules.append(scaled_rule)
        scaled_group["rules"] = rules
        groups.append(scaled_group)
    return {**document, "groups": groups}, rewrites


def scale_expr(expr: str, time_scale: float, every: Intervals) -> str:
    """`expr` with its range selectors, subquery steps and offsets scaled; strings left alone."""
    if time_scale == 1.0:
        return expr
    out, last = [], 0
    for quoted in _QUOTED.finditer(expr):
        out.append(_scale_code(expr[last : quoted.start()], time_scale, every))
        out.append(quoted.group(0))
        last = quoted.end()
    out.append(_scale_code(expr[last:], time_scale, every))
    return "".join(out)


def _scale_code(code: str, time_scale: float, every: Intervals) -> str:
    def one(text: str, floor_s: float) -> str:
        return format_duration(max(floor_s, parse_duration(text) * time_scale))

    def ranged(match: re.Match[str]) -> str:
        window = one(match.group(1), every.shortest_range_s)
        if ":" not in match.group(0):
            return f"[{window}]"
        step = match.group(2)
        return f"[{window}:{one(step, every.evaluation_s) if step else ''}]"

    def offset(match: re.Match[str]) -> str:
        return f"{match.group(1)}{match.group(2)}{one(match.group(3), 0.001)}"

    return _OFFSET.sub(offset, _RANGE.sub(ranged, code))


def _scaled(text: str, time_scale: float, floor_s: float, where: Rewrite, rewrites: list[Rewrite]) -> str:
    if time_scale == 1.0:
        return text
    seconds = parse_duration(text)
    after = format_duration(seconds and max(floor_s, seconds * time_scale))
    if after != text:
        rewrites.append(Rewrite(where.group, where.rule, where.field, text, after))
    return after
