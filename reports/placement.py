"""Where each task ran, over time: a drill on the swarm drawn from its timeline alone.

The swarm's own view is on the timeline as `swarm` events (`drillbook.contract`'s
task and node lines); this reads them back into stays (a task slot on a node, from
when it ran until it ended or the drill did) and draws one row a slot, coloured by
node, with the nodes' bad spells (unknown, down) below, so a reader sees a task
leave a lost node and start on another beside what users saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from drillbook.contract import SWARM_NODE, SWARM_TASK, EventKind, ResultDocument

WIDTH, ROW_H, LEFT, RIGHT, TOP = 900, 22, 120, 20, 26
NODE_COLOURS = ("#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f")
BAD = {"down": "#c62828", "unknown": "#f9a825"}


@dataclass(frozen=True)
class Stay:
    row: str
    """A task slot (`app.2`), or a node for its bad spells."""
    node: str
    start: float
    end: float
    ended: str
    """How it ended: `failed`, `shutdown`…, or `running` when the drill ended first; for a
    node's spell, its state (`down`, `unknown`)."""


def stays(doc: ResultDocument) -> list[Stay]:
    """Every task slot's stays on nodes, then every node's spells away from ready, in time order."""
    end = doc.duration_s if doc.duration_s is not None else max((e.t for e in doc.timeline), default=0.0)
    running: dict[tuple[str, str], float] = {}
    spells: dict[str, tuple[str, float]] = {}
    out: list[Stay] = []
    for event in doc.timeline:
        if event.kind != EventKind.SWARM:
            continue
        if task := SWARM_TASK.match(event.detail):
            key = (task["task"], task["node"])
            if task["state"] == "running":
                running.setdefault(key, event.t)
            elif key in running:
                out.append(Stay(key[0], key[1], running.pop(key), event.t, task["state"]))
        elif node := SWARM_NODE.match(event.detail):
            if node["node"] in spells:
                state, since = spells.pop(node["node"])
                out.append(Stay(node["node"], node["node"], since, event.t, state))
            if node["state"] in BAD:
                spells[node["node"]] = (node["state"], event.t)
    out += [Stay(task, node, start, end, "running") for (task, node), start in running.items()]
    out += [Stay(node, node, since, end, state) for node, (state, since) in spells.items()]
    return sorted(out, key=lambda s: (s.row == s.node, s.row, s.start))


def render(doc: ResultDocument) -> str:
    """The inline SVG, or "" for a drill with no swarm task on its timeline."""
    found = stays(doc)
    tasks = sorted({s.row for s in found if s.row != s.node})
    if not tasks:
        return ""
    nodes = sorted({s.node for s in found})
    bad_rows = sorted({s.row for s in found if s.row == s.node})
    rows = tasks + bad_rows
    t0 = min(s.start for s in found)
    t1 = max(s.end for s in found)
    span = max(t1 - t0, 1e-6)
    plot = WIDTH - LEFT - RIGHT
    height = TOP + ROW_H * len(rows) + 30

    def x(t: float) -> float:
        return LEFT + plot * (t - t0) / span

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg" '
        'role="img" aria-label="Where each task ran over time">',
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">Where each task ran</text>',
    ]
    for i, name in enumerate(rows):
        y = TOP + ROW_H * i
        label = name if name in tasks else f"{name} (node)"
        parts.append(f'<text x="{LEFT - 6}" y="{y + 15}" font-size="11" text-anchor="end">{escape(label)}</text>')
        for stay in (s for s in found if s.row == name):
            colour = NODE_COLOURS[nodes.index(stay.node) % len(NODE_COLOURS)] if name in tasks else BAD[stay.ended]
            width = max(x(stay.end) - x(stay.start), 1.0)
            text = stay.node if name in tasks else stay.ended
            title = f"{name} on {stay.node}" if name in tasks else f"{name} {stay.ended}"
            title += f" from {stay.start:.1f} s to {stay.end:.1f} s" + (
                f", then {stay.ended}" if name in tasks and stay.ended != "running" else ""
            )
            parts.append(
                f'<rect x="{x(stay.start):.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW_H - 6}" '
                f'fill="{colour}" opacity="0.8"><title>{escape(title)}</title></rect>'
            )
            if width > 7 * len(text):
                parts.append(
                    f'<text x="{x(stay.start) + 4:.1f}" y="{y + 15}" font-size="10" fill="#fff">{escape(text)}</text>'
                )
    parts += _marks(doc, x, t0, t1, height)
    parts.append(f'<text x="{LEFT}" y="{height - 6}" font-size="10">{t0:.0f} s</text>')
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{height - 6}" font-size="10" text-anchor="end">{t1:.0f} s</text>')
    parts.append("</svg>")
    return "".join(parts)


def _marks(doc: ResultDocument, x: Callable[[float], float], t0: float, t1: float, height: int) -> list[str]:
    """The fault and the recovery as vertical lines, as on the timeline chart."""
    m = doc.measurements
    out = []
    for at, name, colour in ((m.injected_at, "fault", "#c62828"), (m.recovered_at, "recovered", "#2e7d32")):
        if at is None or not t0 <= at <= t1:
            continue
        out.append(
            f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{TOP - 4}" y2="{height - 24}" stroke="{colour}" '
            f'stroke-dasharray="4 3"/><text x="{x(at) + 3:.1f}" y="{TOP - 6}" font-size="10" '
            f'fill="{colour}">{name}</text>'
        )
    return out
