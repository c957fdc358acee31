"""A figure against its objective as a bar, for pages that set many drills side by side."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from drillbook.reports import words

BAR_W, ROW_H, LABEL_W, PAD = 520, 22, 220, 8
FLOOR_S = 0.1
"""The left end of the log scale: a downtime below it is drawn as a sliver."""


def against_objective(items: Sequence[tuple[str, float | None, float | None]], label: str) -> str:
    """Each (name, measured, objective) as a bar against its objective, on a log scale from 0.1 s.

    On a linear scale every drill of a few seconds under a 15-minute RTO is the
    same one-pixel sliver; on a log scale their differences show and the
    objective stays on the chart (the dashed line). The headroom is written
    beside each bar; one past its objective runs red beyond the line.
    """
    drawn = [(name, float(m), float(t)) for name, m, t in items if t and m is not None]
    height = PAD * 2 + ROW_H * max(len(drawn), 1) + 14
    width = LABEL_W + BAR_W + 150
    full = BAR_W / 1.25  # the objective's line; a missed one draws on to 125 %
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="bars" role="img" '
        f'aria-label="{escape(label)}">',
        f'<line x1="{LABEL_W + full:.1f}" x2="{LABEL_W + full:.1f}" y1="{PAD}" y2="{height - 14}" '
        'stroke="#c62828" stroke-dasharray="4 3"/>',
        f'<text x="{LABEL_W + full:.1f}" y="{height - 2}" font-size="10" text-anchor="middle" fill="#c62828">'
        "objective (log scale)</text>",
    ]
    for i, (name, downtime, target) in enumerate(drawn):
        share = math.log10(max(downtime, FLOOR_S) / FLOOR_S) / math.log10(max(target, 2 * FLOOR_S) / FLOOR_S)
        y = PAD + i * ROW_H
        colour = "#2e7d32" if downtime <= target else "#c62828"
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" font-size="11" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{max(1.0, min(share, 1.25) * full):.1f}" height="{ROW_H - 8}" '
            f'fill="{colour}"><title>{escape(name)}: {words.seconds(downtime)} of '
            f"{words.duration(target)}</title></rect>"
            f'<text x="{LABEL_W + BAR_W + 6}" y="{y + 15}" font-size="11">{words.seconds(downtime)} · '
            f"headroom {words.headroom(downtime, target)}</text>"
        )
    if not drawn:
        parts.append(
            f'<text x="{LABEL_W}" y="{PAD + 15}" font-size="11" fill="#777">'
            "nothing measured against an objective</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
