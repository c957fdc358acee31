"""A Markdown summary of one drill, fit for a CI job summary or a PR comment."""

from __future__ import annotations

from typing import Any


def _s(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f} s"
    return str(value)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:.2f} s"


VERDICT_WORDS = {
    "passed": "✅ passed — every recovery objective was met",
    "failed": "❌ failed — an objective or a check was missed",
    "error": "⚠️ error — the drill could not run to the end",
    "interrupted": "⏹ interrupted — stopped by a signal; the replica was torn down",
}


def render(doc: dict[str, Any]) -> str:
    m = doc["measurements"]
    lines = [
        f"# Drill `{doc['drill']}`: {doc['verdict']}",
        "",
        VERDICT_WORDS.get(doc["verdict"], doc["verdict"]),
        "",
        f"Scenario `{doc.get('scenario')}`, recovery `{doc.get('recovery') or 'none'}`, "
        f"target `{doc.get('target')}`, tier **{doc.get('tier')}**, started {doc.get('started_at')}.",
    ]
    if doc.get("time_scale", 1.0) != 1.0:
        lines += ["", f"> Alert windows were scaled by {doc['time_scale']:g} for this drill."]
    if doc.get("error"):
        lines += ["", f"> {doc['error']}"]
    lines += ["", "## Objectives", "", "| objective | target | measured | met |", "|---|---|---|---|"]
    for o in doc["objectives"]:
        lines.append(
            f"| {o['name']} | {_duration(o['target_s'])} | {_duration(o['measured_s'])} | "
            f"{'yes' if o['met'] else '**no**'} |"
        )
    lines += ["", "## Measurements", "", "| figure | value |", "|---|---|"]
    for key in (
        "injected_at",
        "disrupted_at",
        "detected_at",
        "recovered_at",
        "downtime_s",
        "time_to_detect_s",
        "time_to_recover_s",
        "rpo_s",
    ):
        lines.append(f"| {key} | {_s(m.get(key))} |")
    for key in ("acked_writes", "lost_writes", "lost_after_injection"):
        lines.append(f"| {key} | {_s(m.get(key))} |")
    if doc.get("checks"):
        lines += ["", "## Checks", "", "| check | ok | detail |", "|---|---|---|"]
        for c in doc["checks"]:
            lines.append(f"| {c['name']} | {'yes' if c['ok'] else '**no**'} | {c['detail']} |")
    if doc.get("alerts"):
        lines += ["", "## Alerts", "", "| rule | fired at | severity |", "|---|---|---|"]
        for a in doc["alerts"]:
            lines.append(f"| {a['rule']} | {_s(a['fired_at'])} | {a.get('severity', '')} |")
    if doc.get("recovery_steps"):
        lines += ["", "## Recovery steps", "", "| step | took | ok | detail |", "|---|---|---|---|"]
        for st in doc["recovery_steps"]:
            took = st["finished_at"] - st["started_at"]
            ok = "yes" if st["ok"] else "**no**"
            lines.append(f"| {st['name']} | {took:.2f} s | {ok} | {st.get('detail', '')} |")
    return "\n".join(lines) + "\n"
