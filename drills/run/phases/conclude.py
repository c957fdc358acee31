"""The result: every measurement, objective, check and event of the drill in one document.

Also for a failed or interrupted drill: what was measured up to the stop is
the evidence of what happened.
"""

from __future__ import annotations

from dataclasses import replace

from drillbook.contract import EventKind
from drillbook.drills.judge import measure, objectives, streams, team_alerts
from drillbook.drills.observe.alerts import Alert
from drillbook.drills.observe.samples import Sample
from drillbook.drills.result import Check, DrillResult, Verdict, environment
from drillbook.drills.run import watch
from drillbook.drills.run.phases import monitoring
from drillbook.drills.run.phases import verdict as parts
from drillbook.drills.run.state import Drill
from drillbook.replicas.protocols import Replacement


def result(drill: Drill, verdict: Verdict | None, error: str | None, docker_version: str) -> DrillResult:
    m = drill.spec.model
    samples, observed_until = observation(drill)
    # The alerts as of the end of observation, like the figures: not a probe failed since.
    injected = drill.injected_at
    fired = () if injected is None else tuple(watch.evaluate(drill, samples, injected, observed_until))
    alerting = monitoring.judged(drill)
    by_monitoring = alerting is not None and m.detect.by == "monitoring"
    detected_at = alerting.first_fired_at if alerting is not None and by_monitoring else drill.detected_at
    figures = measured(drill, samples, observed_until, detected_at)
    stream = streamed(drill, observed_until)
    judged = objectives.judge(m.objectives.tier, figures, m.objectives.rto_s, m.objectives.rpo_s)
    snapshots = tuple(drill.diagnostics.wait(timeout_s=5.0)) if drill.diagnostics else ()
    parts.escalate(drill, fired, figures, observed_until)
    checks = list(drill.checks)
    if drill.injected_at is not None and verdict is None:
        checks += outcome_checks(drill, figures, fired, alerting if by_monitoring else None, stream)
    if verdict is None:
        verdict = "passed" if all(o.met for o in judged) and all(c.ok for c in checks) else "failed"
    desired = drill.desired
    return DrillResult(
        drill=drill.spec.name,
        drill_id=drill.drill_id,
        verdict=verdict,
        error=error,
        started_wall=drill.clock.wall(0.0),
        duration_s=drill.clock.now(),
        time_scale=m.alerts.time_scale,
        tier=m.objectives.tier,
        target=drill.spec.target.name,
        scenario=drill.scenario.describe(dict(m.scenario.with_)),
        recovery=drill.procedure.name if drill.procedure else None,
        measurements=figures,
        objectives=judged,
        checks=tuple(checks),
        alerts=fired,
        recovery_steps=tuple(drill.steps),
        timeline=tuple(drill.timeline.ordered()),
        samples=tuple(samples),
        memory=tuple(watch.memory_samples(drill)),
        continuity=drill.spec.target.continuity,
        lost=tuple(drill.lost or ()),
        spec=drill.spec.raw,
        environment=environment(docker_version),
        figures=dict(drill.figures),
        git_log=tuple((c.sha, c.message) for c in reversed(desired.log())) if desired else (),
        desired_state=str(desired.path) if desired else "",
        diagnostics=snapshots,
        desired_source=drill.desired_source,
        derived_from=tuple(desired.derived_from()) if desired else (),
        engineer=drill.engineer,
        rehearsal=drill.score,
        verification=tuple(parts.checklist(drill, samples, figures, snapshots, observed_until)),
        findings=tuple(parts.found(drill, samples)),
        deploy=drill.spec.target.deploy,
        replacements=tuple(on_clock(drill, r) for r in (drill.replica.replacements if drill.replica else ())),
        monitoring=monitoring.section(drill, alerting, fired),
        stream=stream,
    )


def observation(drill: Drill) -> tuple[list[Sample], float]:
    """Every sample, and the end of what is judged: where verification settled, or the last
    sample of a drill that never got that far."""
    samples = watch.samples(drill)
    observed_until = max((s.end for s in samples), default=drill.clock.now())
    if drill.observed_until is not None:
        observed_until = min(observed_until, drill.observed_until)
    return samples, observed_until


def streamed(drill: Drill, observed_until: float) -> streams.StreamFigures | None:
    """The WebSocket clients' figures, and their disconnections on the timeline."""
    stream, load = drill.spec.target.stream, drill.load
    if stream is None or load is None:
        return None
    load.poll()
    at = drill.clock.from_monotonic
    events = [replace(e, at=at(e.at)) for e in load.socket_events]
    figures = streams.judge(events, stream.path, stream.clients, drill.injected_at, observed_until)
    if figures.first_lost_at is not None and not any(e.kind == EventKind.STREAM for e in drill.timeline.ordered()):
        why = figures.disconnections[0].why
        drill.timeline.record(
            EventKind.STREAM,
            f"{figures.disconnected} of {figures.clients} WebSocket clients lost {stream.path} ({why})",
            figures.first_lost_at,
        )
        if figures.last_back_at is not None:
            drill.timeline.record(
                EventKind.STREAM, f"every WebSocket client connected to {stream.path} again", figures.last_back_at
            )
    return figures


def outcome_checks(
    drill: Drill,
    figures: measure.Measurements,
    fired: tuple[Alert, ...],
    alerting: team_alerts.Judged | None,
    stream: streams.StreamFigures | None = None,
) -> list[Check]:
    """The outcome's checks; detection by the team's alerting when `alerting` is given; the
    stream's when the target has one."""
    checks = parts.outcome_checks(drill, figures, fired) + parts.stream_checks(stream)
    if alerting is None:
        return checks
    checks = [monitoring.detected_check(alerting) if c.name == "detected" else c for c in checks]
    return [*checks, monitoring.paged_check(alerting)]


def measured(
    drill: Drill, samples: list[Sample], observed_until: float, detected_at: float | None
) -> measure.Measurements:
    m = drill.spec.model
    return measure.measure(
        samples=samples,
        injected_at=drill.injected_at,
        detected_at=detected_at,
        verify_window_s=m.phases.verify_window_s,
        max_error_rate=m.verify.max_error_rate,
        required_probes=watch.required_probes(drill),
        observed_until=observed_until,
        acked_writes=len(drill.load.writes) if drill.load else 0,
        lost=drill.lost,
    )


def on_clock(drill: Drill, r: Replacement) -> Replacement:
    """A replacement's engine instants on the drill's clock."""
    at = drill.clock.from_monotonic
    return replace(
        r,
        stopped_at=None if r.stopped_at is None else at(r.stopped_at),
        ready_at=None if r.ready_at is None else at(r.ready_at),
    )
