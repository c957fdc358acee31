"""What the drill sees while it runs: samples so far, the alert rules, whether it recovered.

Every phase that waits asks these questions of the same samples (the load's
requests and the probes'), so they are answered in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from drillbook.drills.judge import measure
from drillbook.drills.observe import alerts as alert_rules
from drillbook.drills.observe.samples import MemorySample, Sample
from drillbook.drills.run.state import Drill, DrillState

HEALTH_PROBE = "health"
DATABASE_PROBE = "database"


@dataclass(frozen=True)
class Status:
    phase: str
    elapsed_s: float
    requests: int
    """Load requests that ended in the last few seconds."""
    success_rate: float | None
    mean_latency_ms: float | None
    alerts: tuple[str, ...]


def observed(drill: Drill) -> tuple[list[Sample], float]:
    """The samples so far, and the instant up to which every one of them is in. A failure counts
    from its start, and a request still waiting can yet fail: what started after the oldest one
    still waiting is not judged yet. Each source's horizon is taken before its samples, so that
    nothing it covers is missing from them."""
    until = drill.clock.now()
    probe: list[Sample] = []
    if drill.probes is not None:
        until = min(until, drill.probes.horizon())
        probe = list(drill.probes.samples)
    if drill.load is None:
        return probe, until
    drill.load.poll()
    at = drill.clock.from_monotonic
    load = [Sample("load", r.name, at(r.start), at(r.end), r.ok, r.status, r.error) for r in drill.load.requests]
    return probe + load, min(until, at(drill.load.horizon))


def samples(drill: Drill) -> list[Sample]:
    return observed(drill)[0]


def memory_samples(drill: Drill) -> list[MemorySample]:
    return list(drill.memory.samples) if drill.memory else []


def required_probes(drill: Drill) -> tuple[str, ...]:
    return (HEALTH_PROBE, DATABASE_PROBE, *(f.name for f in drill.spec.target.key_flows))


def evaluate(drill: Drill, seen: list[Sample], since: float, until: float) -> list[alert_rules.Alert]:
    m = drill.spec.model.alerts
    return alert_rules.evaluate(
        seen,
        health_probe=HEALTH_PROBE,
        database_probe=DATABASE_PROBE,
        time_scale=m.time_scale,
        memory=memory_samples(drill),
        since=since,
        until=until,
        windows=m.windows_s,
    )


def alerts(drill: Drill) -> list[alert_rules.Alert]:
    """The rules firing since the fault; none before it."""
    if drill.injected_at is None:
        return []
    fired = evaluate(drill, samples(drill), drill.injected_at, drill.clock.now())
    drill.fired_rules = [a.rule for a in fired]
    return fired


def recovered(drill: Drill) -> float | None:
    """When the service came back for good, so far; None while it has not."""
    assert drill.injected_at is not None
    seen, known = observed(drill)
    disrupted = measure.disrupted_at(seen, drill.injected_at)
    if disrupted is None:
        return None
    m = drill.spec.model
    return measure.outages(
        seen,
        disrupted_at=disrupted,
        verify_window_s=m.phases.verify_window_s,
        max_error_rate=m.verify.max_error_rate,
        required_probes=required_probes(drill),
        observed_until=known,
    )[-1].end


def known_until(drill: Drill) -> float:
    """The instant up to which every sample is in (`observed`). Until 2026-12-03 it was now
    minus the longer of the probes' and the load's timeouts (2 s by default) whatever was in
    flight, and every verification lasted that much longer than its window. Judged up to the
    probes' timeout alone, before that, verification once settled on a window that a load
    request started inside it failed later, and the measurement, which sees that failure,
    found no recovery."""
    return observed(drill)[1]


def no_disruption(drill: Drill, verifying_since: float) -> bool:
    """No failure at all, with every sample in for two verification windows after the fault and
    one after the procedure ended: nothing to wait for. The second condition sees what the
    procedure's own moves did (a swarm rescheduling a task fails requests 8 s after the fault)."""
    assert drill.injected_at is not None
    window = drill.spec.model.phases.verify_window_s
    seen, known = observed(drill)
    quiet = known - drill.injected_at >= 2 * window and known - verifying_since >= window
    return quiet and measure.disrupted_at(seen, drill.injected_at) is None


def status(drill: Drill, window_s: float = 5.0) -> Status:
    """What the live view shows; safe to call from another thread (reads, never polls)."""
    now = drill.clock.now()
    at = drill.clock.from_monotonic
    recent = [r for r in (drill.load.requests if drill.load else [])[-2000:] if now - at(r.end) <= window_s]
    ok = sum(r.ok for r in recent)
    return Status(
        phase=drill.phase.value,
        elapsed_s=now if drill.phase is not DrillState.PENDING else 0.0,
        requests=len(recent),
        success_rate=ok / len(recent) if recent else None,
        mean_latency_ms=(sum(1000 * (r.end - r.start) for r in recent) / len(recent)) if recent else None,
        alerts=tuple(drill.fired_rules),
    )
