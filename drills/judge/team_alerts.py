"""The team's alerting, judged against the fault: what fired, what should have and did not,
what fired and should not have, and whether on-call was paged within the runbook's budget.

The runbook's Phase 1 gives detection and acknowledgement five minutes; a
scaled drill scales the budget as it scales the alert windows. The page is the
first of the team's alerts Alertmanager delivered after the fault (fired, for
one that fired but was not delivered before the drill ended, is not a page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from drillbook.drills.observe.monitoring.collect import Firing
from drillbook.drills.observe.monitoring.scaling import Rewrite
from drillbook.reports.runbook import ACK_BUDGET_S

Status = Literal["fired", "missed", "noise", "quiet"]


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    expected: bool
    status: Status
    """fired: expected and fired after the fault; missed: expected, never fired after it;
    noise: fired and not expected (before the fault too); quiet: neither."""
    fired_at: float | None
    delivered_at: float | None
    after_fault_s: float | None
    after_drillbook_s: float | None
    """Relative to drillbook's own detection: negative when the team's alert was earlier."""


@dataclass(frozen=True)
class Judged:
    rules: tuple[RuleOutcome, ...]
    budget_s: float
    first_alert: str | None
    first_fired_at: float | None
    """The first of the team's alerts to fire after the fault: the detection, judged by monitoring."""
    paged_at: float | None
    """The first of the team's alerts delivered after the fault, on the drill's clock."""
    paged_in_s: float | None
    within_budget: bool | None
    """None when there was no fault to page for."""


def judge(
    rules: Sequence[str],
    expected: Sequence[str],
    firings: Sequence[Firing],
    injected_at: float | None,
    drillbook_detected_at: float | None,
    time_scale: float,
    allowance_s: float = 0.0,
) -> Judged:
    """`allowance_s` is what the engine's floors add to a scaled pipeline (a scrape and an
    evaluation of 1 s where the scale asked for less): the budget is scaled, then given it."""
    team = [f for f in firings if not f.runbook]
    outcomes = []
    for rule in dict.fromkeys(rules):
        mine = [f for f in team if f.name == rule]
        after = [f for f in mine if injected_at is not None and f.fired_at >= injected_at]
        wanted = rule in expected
        status: Status = ("fired" if after else "missed") if wanted else ("noise" if mine else "quiet")
        firsts = after or mine
        first = firsts[0] if firsts else None
        fired_at = first.fired_at if first else None
        outcomes.append(
            RuleOutcome(
                rule=rule,
                expected=wanted,
                status=status,
                fired_at=fired_at,
                delivered_at=first.delivered_at if first else None,
                after_fault_s=_minus(fired_at, injected_at),
                after_drillbook_s=_minus(fired_at, drillbook_detected_at),
            )
        )
    budget = ACK_BUDGET_S * time_scale + allowance_s
    pages = sorted(
        f.delivered_at
        for f in team
        if f.delivered_at is not None and injected_at is not None and f.fired_at >= injected_at
    )
    paged_at = pages[0] if pages else None
    fired = sorted((f.fired_at, f.name) for f in team if injected_at is not None and f.fired_at >= injected_at)
    paged_in = _minus(paged_at, injected_at)
    within = None if injected_at is None else paged_in is not None and paged_in <= budget
    earliest = fired[0] if fired else (None, None)
    return Judged(tuple(outcomes), round(budget, 3), earliest[1], earliest[0], paged_at, paged_in, within)


@dataclass(frozen=True)
class Agreement:
    """One of drillbook's alerts beside the shipped runbook rule of the same name in Prometheus."""

    rule: str
    drillbook_at: float
    prometheus_at: float | None
    apart_s: float | None
    """Prometheus's firing minus drillbook's; None when Prometheus did not fire it."""


def agreement(drillbook: Sequence[tuple[str, float | None]], firings: Sequence[Firing]) -> tuple[Agreement, ...]:
    """Each of drillbook's alerts and the runbook rule's first firing at or after it less a
    few seconds (Prometheus may see a condition before drillbook's rule does)."""
    out = []
    for rule, at in drillbook:
        if at is None:
            continue
        mine = sorted(f.fired_at for f in firings if f.runbook and f.name == rule and f.fired_at >= at - 5.0)
        prometheus_at = mine[0] if mine else None
        out.append(Agreement(rule, round(at, 3), prometheus_at, _minus(prometheus_at, at)))
    return tuple(out)


@dataclass(frozen=True)
class Section:
    """The result's `monitoring` part: what was loaded, how it was scaled, what fired, the verdict."""

    rules_file: str
    alertmanager_file: str | None
    rules: tuple[str, ...]
    expected: tuple[str, ...]
    scrape_interval_s: float
    evaluation_interval_s: float
    rewrites: tuple[Rewrite, ...]
    firings: tuple[Firing, ...]
    judged: Judged
    detect_by: str
    agreement: tuple[Agreement, ...] = ()
    tolerance_s: float = 0.0
    """A push, a scrape and an evaluation: how far apart drillbook and Prometheus may fire."""


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 3)
