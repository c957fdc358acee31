"""A game day's index page and Markdown summary, from its record (gameday.json) alone."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import markupsafe

from drillbook.reports import html, words

BAR_W, ROW_H, LABEL_W, PAD = 520, 22, 220, 8
FLOOR_S = 0.1
"""The left end of the log scale: a downtime below it is drawn as a sliver."""


def index(gdoc: dict[str, Any]) -> str:
    chart = markupsafe.Markup(downtime_bars(gdoc["drills"]))
    return html.environment(autoescape=True).get_template("gameday.html.j2").render(g=gdoc, chart=chart)


def summary(gdoc: dict[str, Any]) -> str:
    return html.environment(autoescape=False).get_template("gameday.md.j2").render(g=gdoc)


def downtime_bars(rows: Sequence[Mapping[str, Any]]) -> str:
    """Each drill's downtime as a bar against its RTO objective, on a log scale from 0.1 s.

    On a linear scale every drill of a few seconds under a 15-minute RTO is the
    same one-pixel sliver; on a log scale their differences show and the
    objective stays on the chart (the dashed line). The headroom is written
    beside each bar; one past its objective runs red beyond the line.
    """
    drawn = [r for r in rows if r.get("rto_target_s") and r.get("downtime_s") is not None]
    height = PAD * 2 + ROW_H * max(len(drawn), 1) + 14
    width = LABEL_W + BAR_W + 150
    full = BAR_W / 1.25  # the objective's line; a missed one draws on to 125 %
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="bars" role="img" '
        'aria-label="Downtime per drill against its RTO objective">',
        f'<line x1="{LABEL_W + full:.1f}" x2="{LABEL_W + full:.1f}" y1="{PAD}" y2="{height - 14}" '
        'stroke="#c62828" stroke-dasharray="4 3"/>',
        f'<text x="{LABEL_W + full:.1f}" y="{height - 2}" font-size="10" text-anchor="middle" fill="#c62828">'
        "objective (log scale)</text>",
    ]
    for i, r in enumerate(drawn):
        downtime, target = float(r["downtime_s"]), float(r["rto_target_s"])
        share = math.log10(max(downtime, FLOOR_S) / FLOOR_S) / math.log10(max(target, 2 * FLOOR_S) / FLOOR_S)
        y = PAD + i * ROW_H
        colour = "#2e7d32" if downtime <= target else "#c62828"
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" font-size="11" text-anchor="end">{escape(str(r["name"]))}</text>'
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{max(1.0, min(share, 1.25) * full):.1f}" height="{ROW_H - 8}" '
            f'fill="{colour}"><title>{escape(str(r["name"]))}: {words.seconds(r["downtime_s"])} of '
            f"{words.duration(r['rto_target_s'])}</title></rect>"
            f'<text x="{LABEL_W + BAR_W + 6}" y="{y + 15}" font-size="11">{words.seconds(r["downtime_s"])} · '
            f"headroom {words.headroom(r['downtime_s'], r['rto_target_s'])}</text>"
        )
    if not drawn:
        parts.append(
            f'<text x="{LABEL_W}" y="{PAD + 15}" font-size="11" fill="#777">no drill measured a downtime</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
