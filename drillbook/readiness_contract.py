"""The document `drillbook readiness` writes (readiness.json), shared by its writer and its page.

Recovery readiness at a glance, for the people who ask "how much headroom do
we have, is it shrinking, and which incidents have we rehearsed?": per tier
and per drill, the newest run against its objectives with the last runs'
figures, regressions first, and the guide's incidents with their coverage.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

READINESS_FILE = "readiness.json"
SCHEMA = "drillbook.readiness/1"
LAST_RUNS = 10
"""How many of a drill's runs its sparkline shows."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DrillReadiness(_Frozen):
    drill: str
    tier: str
    scenario: str | None
    last_run: str | None
    verdict: str
    downtime_s: float | None
    rto_target_s: float | None
    rpo_s: float | None
    rpo_target_s: float | None
    downtimes: list[float | None]
    """The last runs' downtimes, oldest first (the newest is `downtime_s`)."""
    rpos: list[float | None]
    regressions: list[str]
    """The newest run against the one before it, with the commits between."""


class CoveringDrill(_Frozen):
    drill: str
    last_run: str | None
    verdict: str | None


class IncidentCoverage(_Frozen):
    incident: str
    title: str
    severity: str
    status: str
    drills: list[CoveringDrill]


class ReadinessDocument(_Frozen):
    schema_: str = SCHEMA
    generated_at: str
    drills: list[DrillReadiness]
    """Regressions first, then by tier and name."""
    coverage: list[IncidentCoverage]
