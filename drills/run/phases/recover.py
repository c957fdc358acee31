"""Recover: a strategy, so the automatic procedure, a person (a rehearsal) and the
steps a drill file declares all plug into the same place in the drill.

The strategy also says how much longer than phases.max_duration_s the drill may
run (a person needs time the harness does not).
"""

from __future__ import annotations

from typing import Any, Protocol

from drillbook.contract import EventKind
from drillbook.drills.result import StepResult
from drillbook.drills.run.state import Drill, DrillState
from drillbook.errors import DrillbookError
from drillbook.recovery.base import AnyProcedure, Step, StepContext
from drillbook.replicas import boundary


class Recovery(Protocol):
    @property
    def engineer(self) -> str | None:
        """Who recovers by hand; None for the harness."""
        ...

    def extra_s(self, drill: Drill) -> float:
        """Time beyond phases.max_duration_s the recovery may take."""
        ...

    def recover(self, drill: Drill) -> None: ...


class Automatic:
    """The drill's procedure, run by the harness step by step; no procedure, no recovery."""

    engineer: str | None = None

    def extra_s(self, drill: Drill) -> float:
        return 0.0

    def recover(self, drill: Drill) -> None:
        if drill.procedure is not None:
            drill.enter(DrillState.RECOVERING)
            run_procedure(drill, drill.procedure)


def context(drill: Drill, procedure: AnyProcedure) -> StepContext[Any, Any]:
    declared = drill.spec.model.recovery
    given = dict(declared.with_) if declared is not None and declared.name == procedure.name else {}
    injected = drill.injected_at
    return procedure.context(
        drill.require_replica(),
        given,
        log=lambda line: drill.timeline.record(EventKind.RECOVERY, line),
        figure=drill.figure,
        clock=drill.clock.now,
        injected_wall=None if injected is None else drill.clock.wall_origin.timestamp() + injected,
        fault_lsn=None if drill.fault is None else drill.fault.lsn,
    )


def run_procedure(drill: Drill, procedure: AnyProcedure) -> None:
    """Every step in order, each timed; the first that fails ends the procedure (as it
    would by hand) and the drill goes on to its verdict."""
    ctx = context(drill, procedure)
    for step in procedure.steps:
        started = drill.clock.now()
        ok, detail = False, "interrupted"
        try:
            ok, detail = attempt(step, ctx)
        finally:
            finished = drill.clock.now()
            drill.steps.append(StepResult(step.name, started, finished, ok, detail))
            drill.timeline.record(
                EventKind.RECOVERY_STEP, f"{step.name}: {'ok' if ok else 'FAILED'} ({detail})", finished
            )
        if not ok:
            return


def attempt(step: Step[Any, Any], ctx: StepContext[Any, Any]) -> tuple[bool, str]:
    """Run one step: whether it did its job, and its line for the timeline (or why not).

    What the database, the engine or the service said when the step met them fails
    the step, as it would by hand; it is not an error of the drill."""
    try:
        with boundary.mapped():
            return True, step.run(ctx) or "done"
    except DrillbookError as exc:
        return False, str(exc)
