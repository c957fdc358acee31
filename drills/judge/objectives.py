"""Recovery objectives by tier, from the runbook's disaster-recovery section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drillbook.drills.judge.measure import Measurements

Tier = Literal["customer-facing", "admin", "reporting"]

TIERS: dict[Tier, tuple[float, float]] = {
    # tier: (RTO seconds, RPO seconds)
    "customer-facing": (15 * 60, 5 * 60),
    "admin": (4 * 3600, 3600),
    "reporting": (24 * 3600, 4 * 3600),
}


@dataclass(frozen=True)
class Objective:
    name: str
    target_s: float
    measured_s: float | None
    met: bool


def targets(tier: Tier, rto_s: float | None = None, rpo_s: float | None = None) -> tuple[float, float]:
    """The RTO and RPO targets in seconds: the tier's, or the drill's overrides."""
    tier_rto, tier_rpo = TIERS[tier]
    return (tier_rto if rto_s is None else rto_s, tier_rpo if rpo_s is None else rpo_s)


def judge(tier: Tier, m: Measurements, rto_s: float | None = None, rpo_s: float | None = None) -> tuple[Objective, ...]:
    """RTO and RPO against the targets. A disruption that never recovered has no
    downtime figure and misses RTO; a data check that could not run misses RPO."""
    rto_target, rpo_target = targets(tier, rto_s, rpo_s)
    return (
        Objective("RTO", rto_target, m.downtime_s, m.downtime_s is not None and m.downtime_s <= rto_target),
        Objective("RPO", rpo_target, m.rpo_s, m.rpo_s is not None and m.rpo_s <= rpo_target),
    )
