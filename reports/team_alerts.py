"""The report's "Your alerts": the team's rules against the fault, in words and rows.

Each rule is one row: fired as expected, should have fired and did not
(missed), fired and should not have (noise), or quiet; with when it fired
relative to the fault and to drillbook's own detection, and where Alertmanager
delivered it. The runbook's "acknowledge within 5 minutes" is judged on the
first page.
"""

from __future__ import annotations

from dataclasses import dataclass

from drillbook.contract import Monitoring, ResultDocument
from drillbook.reports import words
from drillbook.reports.runbook import ACK_BUDGET_S

STATUS = {
    "fired": "fired, as expected",
    "missed": "MISSED: expected, never fired",
    "noise": "noise: fired, not expected",
    "quiet": "quiet",
}


@dataclass(frozen=True)
class Row:
    rule: str
    status: str
    css: str
    """yes / no / na: the report's colours."""
    fired: str
    versus_drillbook: str
    delivered: str


def rows(doc: ResultDocument) -> list[Row]:
    m = doc.monitoring
    if m is None:
        return []
    injected = doc.measurements.injected_at
    delivered_to = {(a.name, a.fired_at): a.receiver for a in m.alerts if a.source == "team"}
    held: dict[tuple[str, float | None], str] = {
        (a.name, a.fired_at): a.suppressed for a in m.alerts if a.source == "team" and a.suppressed
    }
    out = []
    for o in m.outcomes:
        css = {"fired": "yes", "missed": "no", "noise": "no"}.get(o.status, "na")
        receiver = delivered_to.get((o.rule, o.fired_at)) if o.fired_at is not None else None
        delivered = "—"
        if o.delivered_at is not None:
            delivered = f"{_after(o.delivered_at, injected)} to {receiver or 'a receiver'}"
        elif (o.rule, o.fired_at) in held:
            delivered = f"not delivered: {held[(o.rule, o.fired_at)]} (Alertmanager)"
        elif o.fired_at is not None:
            delivered = "not delivered (still grouped or waiting when the drill ended)"
        out.append(
            Row(
                rule=o.rule,
                status=STATUS[o.status],
                css=css,
                fired="—" if o.fired_at is None else _after(o.fired_at, injected),
                versus_drillbook=_signed(o.after_drillbook_s),
                delivered=delivered,
            )
        )
    return out


def headline(doc: ResultDocument) -> str:
    """The page, judged: who paged on-call, how long after the fault, against which budget."""
    m = doc.monitoring
    if m is None:
        return ""
    scaled = ACK_BUDGET_S * doc.time_scale
    budget = f"budget {words.seconds(m.budget_s)}: the runbook's 5 minutes × {doc.time_scale:g}"
    if m.budget_s - scaled > 0.005:
        budget += f", and {words.seconds(m.budget_s - scaled)} for what the engine's 1 s floors add"
    if m.paged_in_s is None:
        return f"On-call was never paged: none of your alerts was delivered after the fault ({budget})."
    met = "within it" if m.within_budget else "LATE"
    return f"On-call was paged {words.seconds(m.paged_in_s)} after the fault ({budget}): {met}."


def counts(m: Monitoring) -> str:
    tally = {s: sum(o.status == s for o in m.outcomes) for s in ("fired", "missed", "noise")}
    return f"{tally['fired']} fired as expected, {tally['missed']} missed, {tally['noise']} noise"


def _after(at: float, injected: float | None) -> str:
    if injected is None:
        return f"t={words.seconds(at)}"
    return f"+{words.seconds(at - injected)} after the fault"


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{words.seconds(abs(value))} {'after' if value >= 0 else 'before'} drillbook's"
