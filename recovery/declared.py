"""A recovery the drill file declares as steps: the team's own runbook, in its own words.

Each declared step becomes a `Step` that `replicas/steps.py` does to the
replica; a `procedure` step runs a built-in procedure's steps inline, its
options checked like a named procedure's. The folder of the drill file is
where `run` commands start.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drillbook.errors import DrillbookError, PluginError, RecoveryStepFailed
from drillbook.plugins import check_arguments
from drillbook.recovery import REGISTRY
from drillbook.recovery.base import AnyProcedure, AnyStep, Procedure, StepContext, nothing
from drillbook.replicas import boundary
from drillbook.replicas.step_schema import StepModel
from drillbook.replicas.steps import Where, run_step
from drillbook.replicas.target import Target


@dataclass(frozen=True)
class Options:
    """A declared recovery has no options: its values are in its steps."""


def procedure(steps: Sequence[StepModel], folder: pathlib.Path) -> AnyProcedure:
    return Procedure(
        name="steps",
        description="the drill file's own recovery steps",
        options=Options,
        work=nothing,
        steps=tuple(_step(model, folder) for model in steps),
    )


def check(
    target: Target,
    steps: Sequence[StepModel],
    folder: pathlib.Path,
    where: str,
    locate: Callable[[int], str] = lambda _i: "",
) -> None:
    """Everything a step names, checked before anything starts: its services, its script, its procedure.
    `locate(i)` is the `file:line: ` of step i (from 0) in the drill file."""
    known = {s.name for s in target.services}
    for i, model in enumerate(steps, start=1):
        at = f"{locate(i - 1)}{where} step {i} ({model.title()})"
        for service in model.services():
            if service not in known:
                has = ", ".join(sorted(known))
                raise PluginError(f"{at} names service {service!r}, which the target does not have (it has {has}).")
        if model.run is not None:
            script = model.run.split()[0]
            if "/" in script and not (folder / script).exists():
                raise PluginError(
                    f"{at} runs {script}, which does not exist in {folder}. Fix the path in the drill file."
                )
        if model.procedure is not None:
            named = REGISTRY.get(model.procedure.name)
            check_arguments("recovery procedure", named.name, named.options, 0, model.procedure.with_)
            named.check(target, named.options(**model.procedure.with_))


def _step(model: StepModel, folder: pathlib.Path) -> AnyStep:
    if model.procedure is not None:
        inner, given = REGISTRY.get(model.procedure.name), dict(model.procedure.with_)

        def run(ctx: StepContext[object, object]) -> str:
            sub = inner.context(
                ctx.replica,
                given,
                log=ctx.log,
                figure=ctx.figure,
                clock=ctx.clock,
                injected_wall=ctx.injected_wall,
                fault_lsn=ctx.fault_lsn,
            )
            done = []
            for step in inner.steps:
                try:
                    with boundary.mapped():
                        done.append(f"{step.name}: {step.run(sub) or 'done'}")
                except DrillbookError as exc:
                    raise RecoveryStepFailed(f"{inner.name}'s step {step.name!r} failed: {exc}") from exc
            return "; ".join(done)

    else:

        def run(ctx: StepContext[object, object]) -> str:
            return run_step(model, Where(ctx.replica, folder))

    return AnyStep(model.title(), f"declared {model.kind} step", run, hint=_hint(model))


def _hint(model: StepModel) -> str:
    """What a person would type for the step in a rehearsal."""
    if model.run is not None:
        return model.run
    if model.docker is not None:
        return f"docker {model.docker.action} <the replica's {model.docker.service} container>"
    if model.http is not None:
        return f"curl -X {model.http.method} {{app_url}}{model.http.path}"
    if model.sql is not None:
        return f"psql '{{psql}}' -c {model.sql.query!r}"
    return model.title()
