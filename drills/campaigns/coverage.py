"""Which of the guide's incidents have been rehearsed, by which drills, and when last.

The answer to a manager's first question: every incident the guide names
(`scenarios/incidents.py`) with the drills whose scenario rehearses it, each
drill's last run and verdict from the history, and the gaps: an incident no
drill covers, or one whose drills have not run in `STALE_DAYS` days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from drillbook.drills.campaigns.history import Run
from drillbook.scenarios import REGISTRY as SCENARIOS
from drillbook.scenarios.incidents import INCIDENTS, Incident

STALE_DAYS = 30
Status = Literal["rehearsed", "stale", "never run", "not covered", "not a recovery incident"]


@dataclass(frozen=True)
class Covering:
    drill: str
    scenario: str
    last_run: dt.datetime | None
    verdict: str | None


@dataclass(frozen=True)
class Row:
    incident: Incident
    drills: tuple[Covering, ...]
    status: Status


def rows(drills: Mapping[str, str], runs: Sequence[Run], now: dt.datetime) -> list[Row]:
    """Every incident of the guide, most severe first, with its drills and its status at `now`."""
    last: dict[str, Run] = {}
    for run in runs:
        kept = last.get(run.drill)
        if kept is None or (run.started_at or "") > (kept.started_at or ""):
            last[run.drill] = run
    out = []
    for incident in sorted(INCIDENTS, key=lambda i: i.severity):
        covering = tuple(
            Covering(
                drill,
                scenario,
                _when(last[drill].started_at) if drill in last else None,
                last[drill].verdict if drill in last else None,
            )
            for drill, scenario in sorted(drills.items())
            if scenario in SCENARIOS.names() and incident.key in SCENARIOS.get(scenario).rehearses
        )
        out.append(Row(incident, covering, _status(incident, covering, now)))
    return out


def _status(incident: Incident, covering: Sequence[Covering], now: dt.datetime) -> Status:
    if not incident.recoverable:
        return "not a recovery incident"
    if not covering:
        return "not covered"
    runs = [c.last_run for c in covering if c.last_run is not None]
    if not runs:
        return "never run"
    if now - max(runs) > dt.timedelta(days=STALE_DAYS):
        return "stale"
    return "rehearsed"


def _when(started_at: str | None) -> dt.datetime | None:
    if not started_at:
        return None
    try:
        when = dt.datetime.fromisoformat(started_at)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
