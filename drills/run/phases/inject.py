"""Inject and detect: the scenario's fault, entered through the teardown's exit stack,
then the alert rules watched until one fires or detection times out."""

from __future__ import annotations

from collections.abc import Callable

from drillbook.contract import EventKind
from drillbook.drills.run import watch
from drillbook.drills.run.state import Drill, DrillState
from drillbook.drills.run.teardown import Teardown


def ready(drill: Drill) -> None:
    """The scenario's checks against the running replica, before the steady state: a parameter
    the service cannot take is refused before any load is judged."""
    drill.scenario.ready(drill.require_replica(), **dict(drill.spec.model.scenario.with_))


def inject(drill: Drill, teardown: Teardown) -> None:
    drill.enter(DrillState.INJECTING)
    params = dict(drill.spec.model.scenario.with_)
    injection = drill.scenario.inject(drill.require_replica(), **params)
    fault = drill.fault = teardown.enter(
        "revert the fault", injection, essential=False, around=lambda c: revert(drill, c)
    )
    drill.injected_at = drill.clock.now() if fault.began is None else drill.clock.from_monotonic(fault.began)
    drill.timeline.record(EventKind.FAULT, f"injected {drill.scenario.describe(params)}: {fault.description}")
    hold_s = drill.spec.model.scenario.hold_s
    if hold_s is not None:
        drill.hold_until = drill.injected_at + hold_s


def revert(drill: Drill, close: Callable[[], object]) -> None:
    """Undo the fault through its own context manager's exit, once it is in place."""
    fault = drill.fault
    if fault is None:
        return
    did = not fault.reverted
    close()
    if not did and not drill.revert_recorded and fault.reverted_at is not None:
        at = drill.clock.from_monotonic(fault.reverted_at)
        drill.timeline.record(EventKind.FAULT, f"ended by itself: {fault.revert_detail or 'reverted'}", at)
        return
    what = fault.revert_detail if did else "already reverted"
    drill.timeline.record(EventKind.FAULT, f"reverted at teardown: {what or 'nothing left to undo'}")


def detect(drill: Drill) -> None:
    drill.enter(DrillState.DETECTING)
    timeout_s = drill.spec.model.phases.detect_timeout_s
    drill.wait(lambda: watch.alerts(drill) != [], timeout_s)
    fired = watch.alerts(drill)
    if fired:
        drill.detected_at = fired[0].fired_at
        drill.timeline.record(EventKind.ALERT, f"{fired[0].rule} fired ({fired[0].severity})", fired[0].fired_at)
        label = "first alert"
    else:
        drill.timeline.record(EventKind.ALERT, f"no alert rule fired within {timeout_s:g} s")
        label = "end of detection, no alert"
    if drill.diagnostics is not None:
        drill.diagnostics.take(label)
