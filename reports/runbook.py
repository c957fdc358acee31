"""What the Incident Response Guide says, as data the reports apply to a result.

Kept here, not in `drills`, because reports read only the result document:
a stored result can be judged again against the runbook on any machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from drillbook.contract import FlowCount, ResultDocument
from drillbook.reports import words

SEVERITIES = {
    "P0": ("CRITICAL", "Complete service outage or major functionality broken", "0-15 minutes"),
    "P1": ("HIGH", "Significant functionality impaired", "15-60 minutes"),
    "P2": ("MEDIUM", "Some functionality affected", "1-4 hours"),
    "P3": ("LOW", "Minimal impact on users", "1-2 business days"),
}

# "Response Time" of each severity level, in seconds.
RESPONSE_S = {"P0": 15 * 60, "P1": 60 * 60, "P2": 4 * 3600, "P3": 2 * 86400}

# "Escalate if: Issue not resolved in 30 minutes (P0) or 2 hours (P1)."
RESOLVE_BEFORE_ESCALATION_S = {"P0": 30 * 60, "P1": 2 * 3600}

# "Internal Escalation": who holds the incident, and when it moves up. The runbook
# times the ladder for a P0 (Level 2 at 30+ minutes, 3 at 1+ hours, 4 at 2+ hours);
# a P1 leaves Level 1 at 2 hours and climbs with the same spacing. P2 and P3 have
# no escalation rule: they stay with the on-call engineer.
LEVELS = (
    (1, "On-Call Engineer", "Restart services, clear caches, basic troubleshooting"),
    (2, "Senior Engineering", "Code changes, database modifications, infrastructure changes"),
    (3, "Engineering Management", "Budget approval, vendor escalation, communication decisions"),
    (4, "Executive Team", "Customer communication, media response, legal decisions"),
)
ESCALATE_AT_S = {"P0": (0, 30 * 60, 3600, 2 * 3600), "P1": (0, 2 * 3600, 2.5 * 3600, 3.5 * 3600)}

# "Customer communication timeline": offset from the start of the incident, the
# action, and when it applies.
COMMUNICATION_SCHEDULE = (
    (0, "Internal team notification", "always"),
    (15 * 60, "Status page update", "customer-facing"),
    (30 * 60, "Customer email", "major outage"),
    (60 * 60, "Social media update", "major outage"),
)
PROGRESS_EVERY_S = 3600  # "hourly: Progress updates until resolved"

STATUS_PAGE = {
    "Investigating": "We're investigating reports of issues with {service}",
    "Identified": "We've identified the issue and are working on a fix",
    "Fix deployed": "A fix has been deployed and we're monitoring",
    "Resolved": "The issue has been resolved",
}


ACK_BUDGET_S = 300.0
"""Phase 1: detection and acknowledgement within 5 minutes of the fault."""


@dataclass(frozen=True)
class Budget:
    name: str
    limit_s: float
    measured_s: float | None
    met: bool | None
    """None when the drill has no figure to judge it by."""


def budgets(doc: ResultDocument) -> list[Budget]:
    """The runbook's phase budgets, judged on the drill's measurements."""
    m = doc.measurements
    severity = doc.severity or ""
    detect, recover = m.time_to_detect_s, m.time_to_recover_s
    out = [
        Budget(
            "Phase 1: detection & alert within 5 minutes of the fault",
            ACK_BUDGET_S,
            detect,
            None if detect is None else detect <= ACK_BUDGET_S,
        ),
    ]
    steps = doc.recovery_steps
    response = RESPONSE_S.get(severity)
    if response is not None and steps and steps[0].started_at is not None and m.detected_at is not None:
        began = steps[0].started_at - m.detected_at
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


@dataclass(frozen=True)
class Essential:
    """One of the runbook's essential services, in its order, with the availability users saw."""

    priority: int
    service: str
    flow: str | None
    availability: float | None
    during_incident: float | None


def continuity(doc: ResultDocument) -> list[Essential]:
    def share(flows: dict[str, FlowCount], flow: str | None) -> float | None:
        found = flows.get(flow) if flow else None
        return found.availability if found else None

    return [
        Essential(i, e.service, e.flow, share(doc.flows, e.flow), share(doc.flows_during_incident, e.flow))
        for i, e in enumerate(doc.continuity, start=1)
    ]


@dataclass(frozen=True)
class Escalation:
    level: int
    name: str
    authority: str
    due_at: float
    """Drill seconds at which the incident would reach this level (the runbook's time × time_scale)."""
    reached: bool


def escalation(severity: str | None, began_at: float | None, until: float, time_scale: float) -> list[Escalation]:
    """The runbook's escalation ladder for an incident held from `began_at` (the alert)
    until `until` (recovery, or the end of the drill when it never recovered)."""
    if began_at is None:
        return []
    offsets = ESCALATE_AT_S.get(severity or "", (0,))
    return [
        Escalation(level, name, authority, began_at + offset * time_scale, began_at + offset * time_scale <= until)
        for (level, name, authority), offset in zip(LEVELS, offsets, strict=False)
    ]


def escalation_document(
    severity: str | None, began_at: float | None, resolved_at: float | None, end: float, time_scale: float
) -> dict[str, Any]:
    ladder = escalation(severity, began_at, end if resolved_at is None else resolved_at, time_scale)
    reached = [e for e in ladder if e.reached]
    top = reached[-1] if reached else None
    return {
        "severity": severity,
        "began_at": began_at,
        "resolved_at": resolved_at,
        "time_scale": time_scale,
        "level": top.level if top else None,
        "name": top.name if top else None,
        "rule": (
            "no alert fired: nobody was paged"
            if began_at is None
            else "no escalation rule for this severity: the on-call engineer keeps it"
            if severity not in ESCALATE_AT_S
            else f"{severity}: Level 1 until {ESCALATE_AT_S[severity][1] / 60:g} minutes, then Levels 2–4"
        ),
        "ladder": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(e).items()} for e in ladder],
    }


def wall_clock(doc: ResultDocument) -> Callable[[float | None], str]:
    started = doc.started_at
    origin = dt.datetime.fromisoformat(started) if started else None

    def wall(t: float | None) -> str:
        if t is None or origin is None:
            return "—"
        return (origin + dt.timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S")

    return wall


def affected(doc: ResultDocument) -> list[str]:
    """The essential services whose flow failed at least once during the incident."""
    return [r.service for r in continuity(doc) if r.during_incident is not None and r.during_incident < 1]


def internal_alert(
    *, severity: str, service: str, impact: str, started: str, engineer: str, status: str, eta: str
) -> str:
    """The runbook's "Internal Alert Template", filled in."""
    return "\n".join(
        (
            "🚨 INCIDENT ALERT 🚨",
            f"Severity: {severity}",
            f"Service: {service}",
            f"Impact: {impact}",
            f"Started: {started}",
            f"Engineer: {engineer}",
            f"Status: {status}",
            f"ETA: {eta}",
        )
    )


CUSTOMER = """We're currently experiencing issues with {service}.
We're actively working on a resolution.
Estimated fix time: {eta}
We'll update you as soon as it's resolved.
Sorry for any inconvenience."""
"""The runbook's customer communication template."""


def communications(doc: ResultDocument) -> dict[str, Any]:
    """The runbook's messages filled with the drill's facts, and its communication
    schedule checked against the drill's timeline (deadlines scaled like the alerts)."""
    m = doc.measurements
    wall = wall_clock(doc)
    scale = doc.time_scale or 1.0
    services = affected(doc)
    service = doc.target or "the service"
    if services:
        service += f" ({', '.join(services)})"
    severity = doc.severity or "P3"
    start = m.disrupted_at
    detected, recovered = m.detected_at, m.recovered_at
    steps = doc.recovery_steps
    rto = next((o.target_s for o in doc.objectives if o.name == "RTO"), None)
    eta = "unknown" if start is None or rto is None else f"{wall(start + rto)} UTC (the {doc.tier} RTO)"
    impact = _impact(doc, services) if start is not None else "no user-visible disruption"
    status = "Resolved" if recovered is not None else "Fixing" if steps else "Investigating"
    internal = internal_alert(
        severity=severity,
        service=service,
        impact=impact,
        started=f"{wall(start)} UTC",
        engineer=doc.engineer or "drillbook (automated drill)",
        status=status,
        eta=eta,
    )
    customer = CUSTOMER.format(service=service, eta=eta)
    stages = (
        ("Investigating", detected),
        ("Identified", steps[0].started_at if steps else detected),
        ("Fix deployed", max((s.finished_at for s in steps if s.finished_at is not None), default=None)),
        ("Resolved", recovered),
    )
    status_page = [
        {"status": name, "at": t, "wall": wall(t), "message": STATUS_PAGE[name].format(service=service)}
        for name, t in stages
        if t is not None and detected is not None
    ]
    resolution = None
    if recovered is not None:
        resolution = (
            f"The issue affecting {service} has been resolved at {wall(recovered)} UTC.\n"
            "All services are now operating normally.\nWe apologize for any inconvenience caused."
        )
    return {
        "internal_alert": internal,
        "customer": customer,
        "status_page": status_page,
        "resolution": resolution,
        "include_postmortem": severity in ("P0", "P1"),
        "schedule": _schedule(doc, start, detected, recovered, scale, wall),
    }


def _impact(doc: ResultDocument, services: list[str]) -> str:
    """The internal alert's impact line: what failed, how many requests, for how long."""
    failed = sum(f.requests - f.ok for f in doc.flows_during_incident.values())
    downtime = words.duration(doc.measurements.downtime_s or 0)
    return (
        f"{', '.join(services) or 'no essential service'} failing; {failed} failed requests; {downtime} of disruption"
    )


def _schedule(
    doc: ResultDocument,
    start: float | None,
    detected: float | None,
    recovered: float | None,
    scale: float,
    wall: Callable[[float | None], str],
) -> list[dict[str, Any]]:
    """Each deadline: due when, whether it applied, and whether the drill's timeline met it.

    The harness posts the internal notification and the first status-page update when
    the alert fires; emails and social posts are owed, not sent, so they are `due`.
    """
    if start is None:
        return []
    end = recovered if recovered is not None else doc.duration_s or start
    customer_facing = doc.tier == "customer-facing"
    major = doc.severity == "P0"
    rows = []
    for offset, action, condition in COMMUNICATION_SCHEDULE:
        due = start + offset * scale
        applies = {"always": True, "customer-facing": customer_facing, "major outage": major}[condition]
        if not applies:
            outcome = f"not needed ({condition} only)"
        elif due > end:
            outcome = "not reached: resolved earlier" if recovered is not None else "not reached"
        elif offset > 15 * 60:
            outcome = "due: owed by this time"
        elif detected is None:
            outcome = "missed: no alert fired"
        elif offset == 0:
            outcome = "met: sent when the alert fired"
        else:
            outcome = "met: posted when the alert fired" if detected <= due else "missed: the alert came later"
        rows.append(
            {"action": action, "after_s": offset, "due_at": round(due, 4), "due_wall": wall(due), "outcome": outcome}
        )
    updates = int((end - start) // (PROGRESS_EVERY_S * scale)) if end > start else 0
    rows.append(
        {
            "action": "Hourly progress updates until resolved",
            "after_s": PROGRESS_EVERY_S,
            "due_at": round(start + PROGRESS_EVERY_S * scale, 4),
            "due_wall": wall(start + PROGRESS_EVERY_S * scale),
            "outcome": f"{updates} update(s) owed" if updates else "not reached",
        }
    )
    return rows
