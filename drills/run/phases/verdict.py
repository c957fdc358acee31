"""The verdict's parts beyond the objectives: whether the drill detected, recovered and
kept every write, what the runbook's post-recovery checklist found, and findings."""

from __future__ import annotations

from drillbook.contract import EventKind
from drillbook.drills.judge import findings, verification
from drillbook.drills.judge.measure import Measurements
from drillbook.drills.judge.streams import StreamFigures
from drillbook.drills.observe import alerts as alert_rules
from drillbook.drills.observe.diagnostics import Snapshot
from drillbook.drills.observe.samples import Sample
from drillbook.drills.result import Check
from drillbook.drills.run import watch
from drillbook.drills.run.state import Drill
from drillbook.reports import runbook


def outcome_checks(drill: Drill, figures: Measurements, fired: tuple[alert_rules.Alert, ...]) -> list[Check]:
    names = {a.rule for a in fired}
    expected = drill.scenario.expected_alerts
    calm = figures.disrupted_at is None
    if calm:
        recovery = "no disruption"
    elif figures.recovered_at is None:
        recovery = "never recovered"
    else:
        recovery = f"recovered at {figures.recovered_at:.2f} s"
    checks = [
        Check(
            "detected",
            figures.detected_at is not None or calm or not expected,
            "first alert: "
            + (fired[0].rule if fired else "none")
            + ("" if expected or fired else " (no runbook trigger watches this fault: it is found another way)"),
        ),
        Check(
            "expected_alert",
            any(a in names for a in expected) or calm or not expected,
            (f"expected one of {', '.join(expected)}" if expected else "no runbook trigger is expected to fire")
            + f"; fired: {', '.join(sorted(names)) or 'none'}",
        ),
        Check("recovered", calm or figures.recovered_at is not None, recovery),
    ]
    if drill.steps:
        failed = [s.name for s in drill.steps if not s.ok]
        checks.append(Check("recovery_steps", not failed, f"failed: {', '.join(failed)}" if failed else "all steps ok"))
    write_flows = drill.spec.target.write_flows
    if write_flows and not figures.acked_writes:
        declared = ", ".join(repr(w.name) for w in write_flows)
        why = f"the target declares write flows ({declared}) and the ledger recorded no acknowledged write: "
        checks.append(Check("writes_proven", False, why + "the data check proved nothing"))
    if figures.lost_after_injection:
        lost = f"{figures.lost_after_injection} writes acknowledged after the fault were lost"
        checks.append(Check("no_loss_after_injection", False, lost))
    return checks


def stream_checks(stream: StreamFigures | None) -> list[Check]:
    """A target with a WebSocket stream: it was held when the fault came, and every client
    that lost it came back. A stream never held proves nothing about the fault."""
    if stream is None:
        return []
    held = stream.connected_at_injection > 0
    checks = [
        Check(
            "stream_held",
            held,
            f"{stream.connected_at_injection} of {stream.clients} WebSocket clients held {stream.url_path} at the fault"
            + ("" if held else ": the stream's outage was not observed (is the service answering WebSocket?)"),
        )
    ]
    if stream.disconnected:
        longest = f"; the longest was away {stream.longest_s:.2f} s" if stream.longest_s is not None else ""
        checks.append(
            Check(
                "stream_reconnected",
                stream.all_back,
                f"{stream.reconnected} of {stream.disconnected} clients that lost the stream reconnected{longest}",
            )
        )
    return checks


def found(drill: Drill, samples: list[Sample]) -> list[str]:
    target = drill.spec.target
    killed = drill.memory.oom_killed if drill.memory else []
    return findings.oom(killed, {s.name: s.mem_limit for s in target.services}) + findings.health_blind_to_database(
        samples,
        health_probe=watch.HEALTH_PROBE,
        database_probe=watch.DATABASE_PROBE,
        health_path=target.health,
        key_flows=[f.name for f in target.key_flows],
        write_flows=[w.name for w in target.write_flows],
    )


def escalate(drill: Drill, fired: tuple[alert_rules.Alert, ...], figures: Measurements, observed_until: float) -> None:
    """Who would hold the incident, and from when, under the runbook's escalation rules."""
    severity = min((a.severity for a in fired), default=None)
    until = figures.recovered_at if figures.recovered_at is not None else observed_until
    for level in runbook.escalation(severity, figures.detected_at, until, drill.spec.model.alerts.time_scale):
        if level.reached:
            detail = f"Level {level.level}: {level.name} holds the incident ({severity})"
            drill.timeline.record(EventKind.ESCALATION, detail, level.due_at)


def checklist(
    drill: Drill, samples: list[Sample], figures: Measurements, snapshots: tuple[Snapshot, ...], observed_until: float
) -> list[verification.Item]:
    if figures.injected_at is None:
        return []
    m, target = drill.spec.model, drill.spec.target
    after = [s for s in snapshots if s.label == "after recovery"]
    metrics = [sec for snap in after for sec in snap.sections if sec.name == "metrics"]
    metrics_status = (metrics[0].reason if metrics[0].available else "unreachable") if metrics else None
    return verification.checklist(
        samples,
        verification.window(figures.recovered_at, figures.disrupted_at, figures.injected_at, observed_until),
        health_probe=watch.HEALTH_PROBE,
        key_flows=[f.name for f in target.key_flows],
        write_flows=[w.name for w in target.write_flows],
        metrics_status=metrics_status,
        max_error_rate=m.verify.max_error_rate,
        max_mean_latency_ms=m.steady_state.max_mean_latency_ms,
        alerts_since=lambda since: [a.rule for a in watch.evaluate(drill, samples, since, observed_until)],
    )
