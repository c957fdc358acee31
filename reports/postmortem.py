"""A post-mortem draft in the runbook's PostMortem shape, with its status-page
messages and internal alert template filled in from the drill's times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reports import html, runbook


def _wall(doc: dict[str, Any]) -> Any:
    started = doc.get("started_at")
    origin = dt.datetime.fromisoformat(started) if started else None

    def wall(t: float | None) -> str:
        if t is None or origin is None:
            return "—"
        return (origin + dt.timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S")

    return wall


def render(doc: dict[str, Any]) -> str:
    m = doc.get("measurements", {})
    wall = _wall(doc)
    flows = doc.get("flows_during_incident") or {}
    failed = sum(f["requests"] - f["ok"] for f in flows.values())
    impacted = f"{failed} failed requests during the incident (a drill has no real users)" if flows else "none seen"
    status_page = []
    service = doc.get("target") or "the service"
    for status, key in (
        ("Investigating", "detected_at"),
        ("Identified", "detected_at"),
        ("Fix deployed", "recovery_done"),
        ("Resolved", "recovered_at"),
    ):
        t = (
            m.get(key)
            if key != "recovery_done"
            else max((s["finished_at"] for s in doc.get("recovery_steps", [])), default=None)
        )
        if t is not None:
            status_page.append((wall(t), status, runbook.STATUS_PAGE[status].format(service=service)))
    alerts = doc.get("alerts", [])
    key_kinds = {"fault", "alert", "recovery_step", "data_check", "verify", "interrupted", "error"}
    return (
        html.environment(autoescape=False)
        .get_template("postmortem.md.j2")
        .render(
            doc=doc,
            title=f"{doc.get('scenario')} on {service} (drill {doc.get('drill')})",
            impacted=impacted,
            impact=f"{m.get('downtime_s') or 0:.1f} s of disruption, {m.get('lost_writes')} acknowledged writes lost",
            first_alert=alerts[0]["rule"] if alerts else "no alert fired",
            key_events=[e for e in doc.get("timeline", []) if e["kind"] in key_kinds],
            status_page=status_page,
            wall=wall,
        )
    )
