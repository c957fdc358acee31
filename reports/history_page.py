"""The history index: RTO and RPO per drill over time, against the objective,
with regressions flagged. Reads stored result documents only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import markupsafe

from drillbook.reports import html

# A run regresses when a figure got worse than the run before by more than both
# the relative and the absolute tolerance (noise on these machines is real).
RELATIVE_TOLERANCE = 0.5
ABSOLUTE_TOLERANCE_S = 1.0
VERDICT_RANK = {"passed": 0, "failed": 1, "interrupted": 1, "error": 2}


@dataclass(frozen=True)
class Row:
    doc: dict[str, Any]
    downtime_s: float | None
    rpo_s: float | None
    rto_target_s: float | None
    rpo_target_s: float | None
    regressions: tuple[str, ...]


def _figure(doc: dict[str, Any], name: str) -> tuple[float | None, float | None]:
    for o in doc.get("objectives", []):
        if o["name"] == name:
            return o.get("measured_s"), o.get("target_s")
    return None, None


def worse(
    now: float | None,
    before: float | None,
    relative: float = RELATIVE_TOLERANCE,
    absolute_s: float = ABSOLUTE_TOLERANCE_S,
) -> bool:
    """Worse than `before` by more than both tolerances (game days use the same test)."""
    if now is None or before is None:
        return False
    return now - before > absolute_s and now > before * (1 + relative)


def rows(docs: Sequence[dict[str, Any]]) -> list[Row]:
    """One drill's runs in time order, each compared with the run before it."""
    out: list[Row] = []
    for doc in sorted(docs, key=lambda d: d.get("started_at") or ""):
        downtime, rto = _figure(doc, "RTO")
        rpo, rpo_target = _figure(doc, "RPO")
        flags = []
        if out:
            prev = out[-1]
            if VERDICT_RANK.get(doc["verdict"], 2) > VERDICT_RANK.get(prev.doc["verdict"], 2):
                flags.append(f"verdict {prev.doc['verdict']} → {doc['verdict']}")
            if worse(downtime, prev.downtime_s):
                flags.append(f"downtime {prev.downtime_s:.2f} s → {downtime:.2f} s")
            if worse(rpo, prev.rpo_s):
                flags.append(f"RPO {prev.rpo_s:.2f} s → {rpo:.2f} s")
        out.append(Row(doc, downtime, rpo, rto, rpo_target, tuple(flags)))
    return out


def axis(values: Sequence[float], target: float | None) -> tuple[float, float]:
    """The value range a trend is drawn on: fitted to the runs, so that their change shows.

    The objective is on the axis only when it sits near the runs; a 900 s
    objective over 1-10 s runs would flatten them onto one pixel row, so it is
    then written as a number instead.
    """
    if not values:
        return 0.0, max(target or 0.0, 1.0)
    lo, hi = min(values), max(values)
    if target is not None and target <= hi * NEAR:
        hi = max(hi, target)
    span = hi - lo or max(abs(hi) * 0.2, 0.5)
    bottom = max(0.0, lo - span * 0.15)
    return bottom, hi + span * 0.15


NEAR = 1.5
"""An objective within this factor of the worst run is drawn on the trend's axis."""


def trend_svg(series: Sequence[float | None], target: float | None, label: str) -> str:
    """A small line of one figure over runs, with its objective as a red line (or a number, if far off)."""
    width, height, pad = 420, 120, 30
    values = [v for v in series if v is not None]
    bottom, top = axis(values, target)
    n = max(len(series) - 1, 1)

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * (min(max(v, bottom), top) - bottom) / (top - bottom)

    def xy(i: int, v: float) -> str:
        return f"{pad + (width - 2 * pad) * i / n:.1f},{y(v):.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="trend" role="img" '
        f'aria-label="{escape(label)}"><text x="{pad}" y="14" font-size="12">{escape(label)}</text>'
    ]
    if target is not None and bottom <= target <= top:
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="#c62828" '
            f'stroke-dasharray="5 3"/><text x="{width - pad}" y="{y(target) - 3:.1f}" font-size="10" '
            f'text-anchor="end" fill="#c62828">objective {target:g} s</text>'
        )
    elif target is not None:
        where = "above" if target > top else "below"
        parts.append(
            f'<text x="{width - pad}" y="14" font-size="10" text-anchor="end" fill="#c62828">'
            f"objective {target:g} s ({where} the chart)</text>"
        )
    points = [xy(i, v) for i, v in enumerate(series) if v is not None]
    if points:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#1565c0" stroke-width="1.8"/>')
        parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="#1565c0"/>' for p in points]
    parts.append(f'<text x="{pad - 4}" y="{height - pad}" font-size="10" text-anchor="end">{bottom:.3g}</text>')
    parts.append(f'<text x="{pad - 4}" y="{pad + 4}" font-size="10" text-anchor="end">{top:.3g}</text></svg>')
    return "".join(parts)


def render(docs: Sequence[dict[str, Any]], front: markupsafe.Markup | None = None) -> str:
    """The history page; `front` is the readiness view it opens with (`reports.readiness.section`)."""
    by_drill: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_drill.setdefault(doc["drill"], []).append(doc)
    drills = []
    for name, runs in sorted(by_drill.items()):
        table = rows(runs)
        drills.append(
            {
                "name": name,
                "rows": table,
                "rto_svg": markupsafe.Markup(
                    trend_svg([r.downtime_s for r in table], table[-1].rto_target_s, "downtime (measured RTO), s")
                ),
                "rpo_svg": markupsafe.Markup(
                    trend_svg([r.rpo_s for r in table], table[-1].rpo_target_s, "measured RPO, s")
                ),
                "regressions": sum(bool(r.regressions) for r in table),
            }
        )
    return html.environment(autoescape=True).get_template("history.html.j2").render(drills=drills, front=front)
