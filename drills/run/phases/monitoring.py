"""The team's monitoring in the drill: planned before anything starts, started with the
replica, and read before the replica is torn down.

Only a drill with a `monitoring:` section has any of it; the others start no
container more and wait for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from drillbook.contract import EventKind
from drillbook.drills.judge import team_alerts
from drillbook.drills.observe.alerts import Alert
from drillbook.drills.observe.monitoring import collect
from drillbook.drills.observe.monitoring.monitor import Monitor
from drillbook.drills.observe.monitoring.plan import RUNBOOK_RECEIVER, Plan
from drillbook.drills.result import Check
from drillbook.drills.run.state import Drill
from drillbook.drills.run.teardown import Teardown
from drillbook.replicas.monitoring.stack import MonitoringStack
from drillbook.replicas.protocols import Provisioned
from drillbook.replicas.replica import Replica

PUSH_FRACTION = 0.5
"""drillbook pushes twice per scrape: a scrape never reads an observation older than half of one."""


def start(drill: Drill, replica: Provisioned, teardown: Teardown) -> None:
    """Prometheus and Alertmanager beside the replica; the drill file's schema refuses them on
    the swarm engine."""
    chosen = drill.monitoring_plan
    if chosen is None or not isinstance(replica, Replica):
        return
    stack = MonitoringStack(replica, chosen.networks)
    stack.start(chosen.files, chosen.every.evaluation_s)
    wall_origin = drill.clock.wall_origin.timestamp()
    monitor = drill.monitor = Monitor(
        stack.urls,
        probes=lambda: list(drill.probes.samples) if drill.probes else [],
        memory=lambda: list(drill.memory.samples) if drill.memory else [],
        requests_file=drill.require_load().requests_file,
        now=drill.clock.now,
        to_drill_clock=lambda unix: unix - wall_origin,
        from_monotonic=drill.clock.from_monotonic,
        on_event=drill.timeline.record,
        interval_s=chosen.every.scrape_s * PUSH_FRACTION,
        shown=lambda d: d.receiver != RUNBOOK_RECEIVER,
    )
    monitor.start()
    teardown.push("read the alerts of the replica's Prometheus", lambda: read(drill), essential=True)
    rules = ", ".join(r.name for r in chosen.rules) or "none"
    drill.timeline.record(EventKind.ALERT, f"your monitoring is watching: {len(chosen.rules)} rule(s) ({rules})")


def read(drill: Drill) -> None:
    """The last push and delivery, then every firing Prometheus recorded (before teardown)."""
    monitor, chosen = drill.monitor, drill.monitoring_plan
    if monitor is None or chosen is None:
        return
    monitor.stop()
    monitor.tick()
    wall_origin = drill.clock.wall_origin.timestamp()
    now = drill.clock.now()
    series = collect.query_alerts(monitor.urls["prometheus"], now + 1.0)
    drill.firings = collect.firings(
        series, monitor.deliveries, chosen.every.evaluation_s, lambda unix: unix - wall_origin, now, monitor.suppressed
    )


def judged(drill: Drill) -> team_alerts.Judged | None:
    chosen = drill.monitoring_plan
    if chosen is None:
        return None
    return team_alerts.judge(
        [r.name for r in chosen.rules],
        chosen.expected,
        drill.firings,
        drill.injected_at,
        drill.detected_at,
        drill.spec.model.alerts.time_scale,
        chosen.floor_allowance_s + chosen.every.scrape_s * PUSH_FRACTION,
    )


def tolerance_s(chosen: Plan) -> float:
    """A push, a scrape and an evaluation: the most Prometheus may lag drillbook's observations."""
    return round(chosen.every.scrape_s * (1 + PUSH_FRACTION) + chosen.every.evaluation_s, 3)


def section(drill: Drill, alerting: team_alerts.Judged | None, fired: Sequence[Alert]) -> team_alerts.Section | None:
    chosen = drill.monitoring_plan
    if chosen is None or alerting is None:
        return None
    return team_alerts.Section(
        rules_file=str(chosen.rules_file),
        alertmanager_file=str(chosen.alertmanager_file) if chosen.alertmanager_file else None,
        rules=tuple(r.name for r in chosen.rules),
        expected=chosen.expected,
        scrape_interval_s=chosen.every.scrape_s,
        evaluation_interval_s=chosen.every.evaluation_s,
        rewrites=chosen.rewrites,
        firings=tuple(drill.firings),
        judged=alerting,
        detect_by=drill.spec.model.detect.by,
        agreement=team_alerts.agreement([(a.rule, a.fired_at) for a in fired], drill.firings),
        tolerance_s=tolerance_s(chosen),
    )


def paged_check(alerting: team_alerts.Judged) -> Check:
    """Detection judged by the team's alerting: on-call paged within the runbook's budget."""
    if alerting.paged_in_s is None:
        fired = "fired but was not delivered" if alerting.first_fired_at is not None else "fired"
        detail = f"none of your alerts {fired} after the fault (budget {alerting.budget_s:g} s)"
    else:
        detail = f"first page {alerting.paged_in_s:.2f} s after the fault (budget {alerting.budget_s:g} s)"
    return Check("paged_within_budget", bool(alerting.within_budget), detail)


def detected_check(alerting: team_alerts.Judged) -> Check:
    """`detected`, when the team's alerting is the detection."""
    first = alerting.first_alert
    return Check("detected", first is not None, f"first of your alerts: {first or 'none fired after the fault'}")
