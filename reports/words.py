"""The verdict in plain words, for the manager who reads only the first line."""

from __future__ import annotations

from drillbook.contract import ResultDocument, Stream


def duration(value: float | None) -> str:
    """A duration in the unit the runbook would state it in."""
    if value is None:
        return "—"
    if value >= 3600:
        return f"{value / 3600:.4g} h"
    if value >= 60:
        return f"{value / 60:.4g} min"
    return f"{value:.2f} s"


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def headroom(measured: float | None, target: float | None) -> str:
    """How much of the objective is left, as a share of it: negative when it was missed."""
    if measured is None or not target:
        return "—"
    return f"{100 * (target - measured) / target:.0f}%"


def headline(doc: ResultDocument) -> str:
    verdict = doc.verdict
    if doc.incomplete:
        return "This drill did not finish: the record below stops where the harness was stopped."
    if verdict == "interrupted":
        return "This drill was interrupted before it finished; nothing was measured to the end."
    if verdict == "error":
        return "This drill could not run to the end, so it proves nothing about recovery yet."
    objectives = {o.name: o for o in doc.objectives}
    m = doc.measurements
    parts = []
    rto = objectives.get("RTO")
    if rto:
        if m.disrupted_at is None:
            parts.append("users saw no disruption")
        elif rto.measured_s is None:
            parts.append(f"the service did not recover within the drill (target {duration(rto.target_s)})")
        else:
            back = f"the service was back in {duration(rto.measured_s)} (target {duration(rto.target_s)})"
            outages = doc.outages
            if len(outages) > 1:
                back += f", counting all {len(outages)} outages from the first failure to the sustained recovery"
            parts.append(back)
    if m.degraded_s:
        degraded = duration(m.degraded_s)
        parts.append(f"it ran degraded (answering, a part of it failing or on its fallback) for {degraded}")
    if doc.stream is not None and doc.stream.disconnected:
        parts.append(stream_sentence(doc.stream))
    rpo = objectives.get("RPO")
    lost = m.lost_writes
    if rpo:
        if lost is None:
            parts.append("whether data was lost could not be checked")
        elif lost == 0:
            parts.append(f"no acknowledged write was lost (target: at most {duration(rpo.target_s)} of data)")
        else:
            parts.append(
                f"{lost} acknowledged writes were lost, {duration(rpo.measured_s)} of data "
                f"(target: at most {duration(rpo.target_s)})"
            )
    met = verdict == "passed"
    lead = "Recovery objectives met" if met else "Recovery objectives NOT met"
    return f"{lead}: " + "; ".join(parts) + "."


def stream_sentence(stream: Stream) -> str:
    """What the WebSocket clients saw, in the headline's words."""
    lost = f"{stream.disconnected} of {stream.clients} live-stream (WebSocket) clients were disconnected"
    if stream.longest_s is not None:
        lost += f", the longest for {duration(stream.longest_s)}"
    if stream.reconnected == stream.disconnected:
        return lost + ", and every one reconnected"
    return lost + f", and only {stream.reconnected} reconnected"


def stream_lines(doc: ResultDocument) -> list[str]:
    """The stream's figures, one line each, for the reports' tables."""
    s = doc.stream
    if s is None:
        return []
    return [
        f"stream: {s.url_path}, {s.clients} clients, {s.connected_at_injection} connected at the fault",
        f"disconnected: {s.disconnected}; reconnected: {s.reconnected}",
        f"longest disconnection: {seconds(s.longest_s)}; mean: {seconds(s.mean_s)}",
        f"first lost at {seconds(s.first_lost_at)}; all back at {seconds(s.last_back_at)}",
    ]


def outage_lines(doc: ResultDocument) -> list[str]:
    """Each outage of the drill, from–to and how long."""
    lines = []
    for i, o in enumerate(doc.outages, 1):
        if o.to is None:
            lines.append(f"outage {i}: from {seconds(o.from_)}, not over when the drill ended")
        else:
            lines.append(f"outage {i}: {seconds(o.from_)} to {seconds(o.to)} ({seconds(o.to - o.from_)})")
    return lines


def deploy_lines(doc: ResultDocument) -> list[str]:
    """How each replaced service was replaced, a recreate's restart gap apart from the release's failure."""
    lines = []
    for r in doc.deploy.replacements:
        if r.ready_at is None:
            served = "the old container kept serving" if r.method == "rolling" else "nothing served it"
            lines.append(f"{r.service} → {r.image} ({r.method}): did not start, {r.outcome}; {served}")
        elif r.method == "recreate":
            lines.append(
                f"{r.service} → {r.image} (recreate): stopped at {seconds(r.stopped_at)}, answering at "
                f"{seconds(r.ready_at)}: a restart gap of {seconds(r.gap_s)} that is the deploy method's, "
                "not the release's"
            )
        else:
            lines.append(
                f"{r.service} → {r.image} (rolling): ready beside the old container at "
                f"{seconds(r.ready_at)}, no restart gap"
            )
    return lines
