"""A fault the drill file declares as steps, and the steps that revert it.

The revert runs at teardown in every outcome once the injection has started,
like a built-in fault's, and until it has run once; its steps must be safe to
run twice. Every revert step runs even when one fails: what could be undone is.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from drillbook.errors import DrillbookError, RecoveryStepFailed
from drillbook.replicas.protocols import ReplicaAPI
from drillbook.replicas.step_schema import StepModel
from drillbook.replicas.steps import Where, run_step
from drillbook.scenarios.base import Fault, Scenario


def scenario(
    name: str,
    description: str,
    expected_alerts: Sequence[str],
    steps: Sequence[StepModel],
    revert: Sequence[StepModel],
    folder: pathlib.Path,
) -> Scenario:
    @contextmanager
    def inject(replica: ReplicaAPI) -> Iterator[Fault]:
        where = Where(replica, folder)

        def undo() -> str | None:
            done, failed = [], []
            for step in revert:
                try:
                    done.append(run_step(step, where))
                except DrillbookError as exc:
                    failed.append(f"{step.title()}: {exc}")
            if failed:
                raise RecoveryStepFailed(f"revert steps failed: {'; '.join(failed)}")
            return "; ".join(done) or None

        fault = Fault(description or f"the drill's own fault {name!r}", undo)
        try:
            for step in steps:
                fault.description += f"; {step.title()}: {run_step(step, where)}"
            yield fault
        finally:
            fault.revert()

    return Scenario(
        name=name,
        description=description or f"the drill's own fault {name!r}",
        expected_alerts=tuple(expected_alerts),
        expected_recovery="",
        steps=tuple(s.title() for s in steps),
        inject=inject,
    )
