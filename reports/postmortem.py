"""A post-mortem draft in the runbook's PostMortem shape, with its status-page
messages and internal alert template filled in from the drill's times."""

from __future__ import annotations

from typing import Any

from drillbook.contract import ResultDocument
from drillbook.reports import html, runbook, words


def render(doc: dict[str, Any]) -> str:
    result = ResultDocument.model_validate(doc)
    wall = runbook.wall_clock(result)
    service = result.target or "the service"
    flows = result.flows_during_incident
    failed = sum(f.requests - f.ok for f in flows.values())
    impacted = f"{failed} failed requests during the incident (a drill has no real users)" if flows else "none seen"
    if result.stream is not None and result.stream.disconnected:
        impacted += "; " + words.stream_sentence(result.stream)
    comms = doc.get("communications") or runbook.communications(result)
    key_kinds = {"fault", "alert", "recovery_step", "data_check", "verify", "interrupted", "error", "stream"}
    return (
        html.environment(autoescape=False)
        .get_template("postmortem.md.j2")
        .render(
            doc=doc,
            title=f"{result.scenario} on {service} (drill {result.drill})",
            impacted=impacted,
            first_alert=result.alerts[0].rule if result.alerts else "no alert fired",
            key_events=[e for e in result.timeline if e.kind in key_kinds],
            comms=comms,
            wall=wall,
        )
    )
