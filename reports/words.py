"""The verdict in plain words, for the manager who reads only the first line."""

from __future__ import annotations

from typing import Any


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


def headline(doc: dict[str, Any]) -> str:
    verdict = doc.get("verdict")
    if doc.get("incomplete"):
        return "This drill did not finish: the record below stops where the harness was stopped."
    if verdict == "interrupted":
        return "This drill was interrupted before it finished; nothing was measured to the end."
    if verdict == "error":
        return "This drill could not run to the end, so it proves nothing about recovery yet."
    objectives = {o["name"]: o for o in doc.get("objectives", [])}
    m = doc.get("measurements", {})
    parts = []
    rto = objectives.get("RTO")
    if rto:
        if m.get("disrupted_at") is None:
            parts.append("users saw no disruption")
        elif rto["measured_s"] is None:
            parts.append(f"the service did not recover within the drill (target {duration(rto['target_s'])})")
        else:
            parts.append(f"the service was back in {duration(rto['measured_s'])} (target {duration(rto['target_s'])})")
    if m.get("degraded_s"):
        degraded = duration(m["degraded_s"])
        parts.append(f"it ran degraded (answering, a part of it failing or on its fallback) for {degraded}")
    rpo = objectives.get("RPO")
    lost = m.get("lost_writes")
    if rpo:
        if lost is None:
            parts.append("whether data was lost could not be checked")
        elif lost == 0:
            parts.append(f"no acknowledged write was lost (target: at most {duration(rpo['target_s'])} of data)")
        else:
            parts.append(
                f"{lost} acknowledged writes were lost, {duration(rpo['measured_s'])} of data "
                f"(target: at most {duration(rpo['target_s'])})"
            )
    met = verdict == "passed"
    lead = "Recovery objectives met" if met else "Recovery objectives NOT met"
    return f"{lead}: " + "; ".join(parts) + "."
