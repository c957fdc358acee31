"""Recovery readiness from the history: each drill's newest run, its trend, its regressions, and coverage.

Written as readiness.json (the contract in `drillbook/readiness_contract.py`),
from which `reports/readiness.py` draws the page; both read the history only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from drillbook.drills.campaigns import commits, coverage
from drillbook.drills.campaigns.history import Run
from drillbook.readiness_contract import (
    LAST_RUNS,
    CoveringDrill,
    DrillReadiness,
    IncidentCoverage,
    ReadinessDocument,
)
from drillbook.reports import history_page


def document(
    docs: Sequence[dict[str, Any]], runs: Sequence[Run], drills: Mapping[str, str], now: dt.datetime
) -> ReadinessDocument:
    """`docs` are the stored result documents, `runs` their listing, `drills` each drill file's scenario."""
    by_drill: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_drill.setdefault(doc["drill"], []).append(doc)
    readiness = [_drill(name, history) for name, history in by_drill.items()]
    readiness.sort(key=lambda d: (not d.regressions, d.tier, d.drill))
    return ReadinessDocument(
        generated_at=now.isoformat(timespec="seconds"),
        drills=readiness,
        coverage=[_coverage(r) for r in coverage.rows(drills, runs, now)],
    )


def _drill(name: str, history: list[dict[str, Any]]) -> DrillReadiness:
    rows = history_page.rows(history)[-LAST_RUNS:]
    newest = rows[-1]
    regressions = list(newest.regressions)
    if regressions and len(rows) > 1:
        regressions.append(commits.between(rows[-2].doc, newest.doc))
    return DrillReadiness(
        drill=name,
        tier=newest.doc.get("tier") or "unstated",
        scenario=newest.doc.get("scenario"),
        last_run=newest.doc.get("started_at"),
        verdict=newest.doc["verdict"],
        downtime_s=newest.downtime_s,
        rto_target_s=newest.rto_target_s,
        rpo_s=newest.rpo_s,
        rpo_target_s=newest.rpo_target_s,
        downtimes=[r.downtime_s for r in rows],
        rpos=[r.rpo_s for r in rows],
        regressions=regressions,
    )


def _coverage(row: coverage.Row) -> IncidentCoverage:
    return IncidentCoverage(
        incident=row.incident.key,
        title=row.incident.title,
        severity=row.incident.severity,
        status=row.status,
        drills=[
            CoveringDrill(
                drill=c.drill,
                last_run=c.last_run.isoformat(timespec="seconds") if c.last_run else None,
                verdict=c.verdict,
            )
            for c in row.drills
        ],
    )
