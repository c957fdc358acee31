"""Drill results for dashboards: each drill's last run as Prometheus gauges.

The file is for node_exporter's textfile collector or a Pushgateway, so a
manager's dashboard reads drill results the way it reads everything else. It
is written by the official `prometheus-client` in the text exposition format,
with gauges only: promtool 2.42 (Debian's) rejects the client's OpenMetrics
counters and float timestamps, and a drill's figures are levels, not counts.
The run's time is a gauge of its own (`drillbook_last_run_timestamp_seconds`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Gauge, generate_latest

from drillbook.contract import ResultDocument

LABELS = ("drill", "tier", "scenario", "procedure")

GAUGES: dict[str, str] = {
    "drillbook_downtime_seconds": "Downtime users saw in the drill's last run (its RTO measured)",
    "drillbook_rpo_seconds": "Acknowledged writes lost in the last run, as seconds of data (its RPO measured)",
    "drillbook_lost_writes": "Acknowledged writes lost in the drill's last run",
    "drillbook_rto_target_seconds": "The drill's recovery time objective",
    "drillbook_rpo_target_seconds": "The drill's recovery point objective",
    "drillbook_passed": "1 if the drill's last run passed, 0 if it did not",
    "drillbook_last_run_timestamp_seconds": "When the drill's last run started, in Unix seconds",
}


def latest(documents: Iterable[ResultDocument]) -> list[ResultDocument]:
    """The newest run of each drill, by its start time (a run with none counts as oldest)."""
    newest: dict[str, ResultDocument] = {}
    for doc in documents:
        kept = newest.get(doc.drill)
        if kept is None or _started(doc) >= _started(kept):
            newest[doc.drill] = doc
    return [newest[name] for name in sorted(newest)]


def render(documents: Iterable[ResultDocument]) -> str:
    """The exposition text of each drill's last run; a figure a run did not measure is left out."""
    registry = CollectorRegistry()
    gauges = {name: Gauge(name, text, LABELS, registry=registry) for name, text in GAUGES.items()}
    for doc in latest(documents):
        labels = {
            "drill": doc.drill,
            "tier": doc.tier or "",
            "scenario": doc.scenario or "",
            "procedure": doc.recovery or "",
        }
        targets = {o.name: o.target_s for o in doc.objectives}
        m = doc.measurements
        values = {
            "drillbook_downtime_seconds": m.downtime_s,
            "drillbook_rpo_seconds": m.rpo_s,
            "drillbook_lost_writes": None if m.lost_writes is None else float(m.lost_writes),
            "drillbook_rto_target_seconds": targets.get("RTO"),
            "drillbook_rpo_target_seconds": targets.get("RPO"),
            "drillbook_passed": 1.0 if doc.verdict == "passed" else 0.0,
            "drillbook_last_run_timestamp_seconds": _started(doc) or None,
        }
        for name, value in values.items():
            if value is not None:
                gauges[name].labels(**labels).set(value)
    return generate_latest(registry).decode()


def _started(doc: ResultDocument) -> float:
    if not doc.started_at:
        return 0.0
    try:
        started = dt.datetime.fromisoformat(doc.started_at)
    except ValueError:
        return 0.0
    return (started if started.tzinfo else started.replace(tzinfo=dt.UTC)).timestamp()
