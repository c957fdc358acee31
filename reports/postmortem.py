"""A post-mortem draft in the runbook's PostMortem shape, with its status-page
messages and internal alert template filled in from the drill's times."""

from __future__ import annotations

from typing import Any

from drillbook.reports import html, runbook


def render(doc: dict[str, Any]) -> str:
    wall = runbook.wall_clock(doc)
    service = doc.get("target") or "the service"
    flows = doc.get("flows_during_incident") or {}
    failed = sum(f["requests"] - f["ok"] for f in flows.values())
    impacted = f"{failed} failed requests during the incident (a drill has no real users)" if flows else "none seen"
    comms = doc.get("communications") or runbook.communications(doc)
    alerts = doc.get("alerts", [])
    key_kinds = {"fault", "alert", "recovery_step", "data_check", "verify", "interrupted", "error"}
    return (
        html.environment(autoescape=False)
        .get_template("postmortem.md.j2")
        .render(
            doc=doc,
            title=f"{doc.get('scenario')} on {service} (drill {doc.get('drill')})",
            impacted=impacted,
            first_alert=alerts[0]["rule"] if alerts else "no alert fired",
            key_events=[e for e in doc.get("timeline", []) if e["kind"] in key_kinds],
            comms=comms,
            wall=wall,
        )
    )
