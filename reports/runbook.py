"""What the Incident Response Guide says, as data the reports apply to a result.

Kept here, not in `drills`, because reports read only the result document:
a stored result can be judged again against the runbook on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEVERITIES = {
    "P0": ("CRITICAL", "Complete service outage or major functionality broken", "0-15 minutes"),
    "P1": ("HIGH", "Significant functionality impaired", "15-60 minutes"),
    "P2": ("MEDIUM", "Some functionality affected", "1-4 hours"),
    "P3": ("LOW", "Minimal impact on users", "1-2 business days"),
}

# "Response Time" of each severity level, in seconds.
RESPONSE_S = {"P0": 15 * 60, "P1": 60 * 60, "P2": 4 * 3600, "P3": 2 * 86400}

# "Response Time" of each severity level, in seconds.
RESPONSE_S = {"P0": 15 * 60, "P1": 60 * 60, "P2": 4 * 3600, "P3": 2 * 86400}

# "Escalate if: Issue not resolved in 30 minutes (P0) or 2 hours (P1)."
RESOLVE_BEFORE_ESCALATION_S = {"P0": 30 * 60, "P1": 2 * 3600}

STATUS_PAGE = {
    "Investigating": "We're investigating reports of issues with {service}",
    "Identified": "We've identified the issue and are working on a fix",
    "Fix deployed": "A fix has been deployed and we're monitoring",
    "Resolved": "The issue has been resolved",
}


@dataclass(frozen=True)
class Budget:
    name: str
    limit_s: float
    measured_s: float | None
    met: bool | None
    """None when the drill has no figure to judge it by."""


def budgets(doc: dict[str, Any]) -> list[Budget]:
    """The runbook's phase budgets, judged on the drill's measurements."""
    m = doc.get("measurements", {})
    severity = doc.get("severity") or ""
    detect, recover = m.get("time_to_detect_s"), m.get("time_to_recover_s")
    out = [
        Budget(
            "Phase 1: detection & alert within 5 minutes of the fault",
            300,
            detect,
            None if detect is None else detect <= 300,
        ),
    ]
    steps = doc.get("recovery_steps") or []
    response = RESPONSE_S.get(severity)
    if response is not None and steps and m.get("detected_at") is not None:
        began = steps[0]["started_at"] - m["detected_at"]
        out.append(
            Budget(
                f"Response time for {severity}: recovery began within {response / 60:g} minutes of detection",
                response,
                began,
                began <= response,
            )
        )
    limit = RESOLVE_BEFORE_ESCALATION_S.get(severity)
    if limit is not None:
        out.append(
            Budget(
                f"Resolved before escalation ({severity}: {limit / 60:g} minutes)",
                limit,
                recover,
                None if recover is None else recover <= limit,
            )
        )
    return out


def continuity(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The runbook's essential services, in its order, with the availability users saw."""
    whole, incident = doc.get("flows", {}), doc.get("flows_during_incident", {})
    rows = []
    for i, entry in enumerate(doc.get("continuity", []), start=1):
        flow = entry.get("flow")
        rows.append(
            {
                "priority": i,
                "service": entry["service"],
                "flow": flow,
                "availability": (whole.get(flow) or {}).get("availability") if flow else None,
                "during_incident": (incident.get(flow) or {}).get("availability") if flow else None,
            }
        )
    return rows
