"""The drill's timeline as one inline SVG: success rate, latency, memory and a
stream's connected clients over time, phases shaded, fault, detection and recovery marked. No script, no fetch:
it prints and opens anywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from drillbook.contract import Measurements, ResultDocument, Stream

WIDTH, LANE_H, GAP, LEFT, RIGHT, TOP = 900, 110, 26, 70, 20, 44
PHASE_FILL = {
    "provisioning": "#eef2f7",
    "warming up": "#f1f8e9",
    "steady state": "#e8f5e9",
    "injecting": "#ffebee",
    "detecting": "#fff3e0",
    "recovering": "#e3f2fd",
    "verifying": "#f3e5f5",
    "measuring": "#eceff1",
    "tearing down": "#f5f5f5",
}
MARKS: tuple[tuple[Callable[[Measurements], float | None], str, str], ...] = (
    (lambda m: m.injected_at, "fault", "#c62828"),
    (lambda m: m.detected_at, "detected", "#ef6c00"),
    (lambda m: m.recovered_at, "recovered", "#2e7d32"),
)


@dataclass(frozen=True)
class Lane:
    title: str
    unit: str
    points: Sequence[tuple[float, float]]
    top: float | None = None
    colour: str = "#1565c0"


def lanes(doc: ResultDocument) -> list[Lane]:
    traffic = doc.samples.traffic
    success = [(b.t, 100.0 * (b.requests - b.errors) / b.requests) for b in traffic if b.requests]
    latency = [(b.t, b.mean_latency_ms) for b in traffic if b.requests]
    out = [
        Lane("Load success rate", "%", success, 100.0, "#2e7d32"),
        Lane("Mean latency", "ms", latency, None, "#1565c0"),
    ]
    memory = doc.samples.memory
    services = sorted({row[0] for row in memory})
    for service in services:
        pts = [
            (at, 100.0 * used / limit)
            for name, at, used, limit in memory
            if name == service and used is not None and limit
        ]
        out.append(Lane(f"Memory of {service} (share of its limit)", "%", pts, 100.0, "#6a1b9a"))
    if doc.stream is not None:
        out.append(_stream_lane(doc.stream))
    return out


def _stream_lane(stream: Stream) -> Lane:
    """Clients holding the WebSocket stream, as steps: a count holds until it changes."""
    steps: list[tuple[float, float]] = []
    for t, n in stream.connected:
        if steps:
            steps.append((t, steps[-1][1]))
        steps.append((t, float(n)))
    return Lane(f"WebSocket clients holding {stream.url_path}", "", steps, float(stream.clients), "#00838f")


def _phases(doc: ResultDocument, end: float) -> list[tuple[str, float, float]]:
    marks = [(e.t, e.detail) for e in doc.timeline if e.kind == "phase"]
    spans = []
    for i, (t, name) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else end
        spans.append((name, t, stop))
    return spans


def _lane(lane: Lane, y0: float, x: Callable[[float], float]) -> list[str]:
    """One lane's title, axis and line (or a note that it has no samples)."""
    top = lane.top or max([p[1] for p in lane.points] + [1.0]) * 1.1
    parts = [
        f'<text x="{LEFT}" y="{y0 - 3}" font-size="12" font-weight="600">{escape(lane.title)}</text>',
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y0 + LANE_H}" y2="{y0 + LANE_H}" stroke="#999"/>',
        f'<text x="{LEFT - 6}" y="{y0 + 10}" font-size="10" text-anchor="end">{top:.0f} {lane.unit}</text>',
        f'<text x="{LEFT - 6}" y="{y0 + LANE_H}" font-size="10" text-anchor="end">0</text>',
    ]
    if lane.points:
        coords = " ".join(f"{x(t):.1f},{y0 + LANE_H - LANE_H * min(v, top) / top:.1f}" for t, v in lane.points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{lane.colour}" stroke-width="1.6"/>')
    else:
        parts.append(
            f'<text x="{LEFT + 10}" y="{y0 + LANE_H / 2}" font-size="11" fill="#777">no samples recorded</text>'
        )
    return parts


def render(doc: ResultDocument) -> str:
    all_lanes = lanes(doc)
    events = [e.t for e in doc.timeline]
    end = max([*events, *(p[0] for lane in all_lanes for p in lane.points), 1.0])
    height = TOP + len(all_lanes) * (LANE_H + GAP) + 10
    plot_w = WIDTH - LEFT - RIGHT

    def x(t: float) -> float:
        return float(LEFT + plot_w * max(0.0, t) / end)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Drill timeline" class="chart">'
    ]
    full = height - TOP - 10
    for name, start, stop in _phases(doc, end):
        fill = PHASE_FILL.get(name, "#fafafa")
        parts.append(
            f'<rect x="{x(start):.1f}" y="{TOP}" width="{max(0.5, x(stop) - x(start)):.1f}" '
            f'height="{full}" fill="{fill}"><title>{escape(name)}</title></rect>'
        )
    for i, outage in enumerate(doc.outages, 1):
        stop = end if outage.to is None else outage.to
        parts.append(
            f'<rect x="{x(outage.from_):.1f}" y="{TOP}" width="{max(1.0, x(stop) - x(outage.from_)):.1f}" '
            f'height="{full}" fill="#c62828" fill-opacity="0.13"><title>outage {i}: {outage.from_:.2f} s to '
            f"{'the end' if outage.to is None else f'{stop:.2f} s'}</title></rect>"
        )
    m = doc.measurements
    for row, (instant, label, colour) in enumerate(MARKS):
        t = instant(m)
        if t is None:
            continue
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{TOP - 4}" y2="{TOP + full}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        # Fault, detection and recovery are often a second apart: one label row each.
        anchor, dx = ("end", -3) if x(t) > WIDTH * 0.75 else ("start", 3)
        parts.append(
            f'<text x="{x(t) + dx:.1f}" y="{TOP - 14 + row * 11}" font-size="10" fill="{colour}" '
            f'text-anchor="{anchor}">{escape(label)} {t:.1f}s</text>'
        )
    for i, lane in enumerate(all_lanes):
        parts += _lane(lane, TOP + i * (LANE_H + GAP) + 14, x)
    ticks = 6
    for k in range(ticks + 1):
        t = end * k / ticks
        parts.append(f'<text x="{x(t):.1f}" y="{height - 2}" font-size="10" text-anchor="middle">{t:.0f}s</text>')
    parts.append("</svg>")
    return "\n".join(parts)
