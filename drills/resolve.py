"""What a drill file names, found and checked before anything runs: its scenario and
recovery procedure (or the steps it declares instead), their arguments against their
annotations, the engine each runs on, the monitoring's files, and the images it will start.

`validate`, `plan` and the game day's checks ask this, not the runner: it imports no
engine, database or HTTP client, so that refusing a bad file costs what reading it does.
"""

from __future__ import annotations

from drillbook.drills.observe.monitoring.plan import Plan, plan
from drillbook.drills.spec import DrillSpec
from drillbook.errors import PluginError
from drillbook.plugins import check_arguments
from drillbook.recovery import REGISTRY as PROCEDURES
from drillbook.recovery import declared
from drillbook.recovery.base import AnyProcedure
from drillbook.recovery.runbook import procedure as runbook
from drillbook.replicas import recipes
from drillbook.scenarios import REGISTRY as SCENARIOS
from drillbook.scenarios import declared as declared_fault
from drillbook.scenarios.base import Scenario


def plugins(spec: DrillSpec) -> tuple[Scenario, AnyProcedure | None]:
    """Find the scenario and procedure, or build them from the steps the drill declares, and
    check their arguments and what their steps name: nothing is touched."""
    scenario = _scenario(spec)
    planned(spec, scenario)
    procedure = _procedure(spec)
    _on_engine(spec, "scenario", scenario.name, scenario.engines)
    if procedure is not None:
        _on_engine(spec, "recovery procedure", procedure.name, procedure.engines)
    return scenario, procedure


def _on_engine(spec: DrillSpec, kind: str, name: str, engines: tuple[str, ...]) -> None:
    engine = spec.model.engine.kind
    if engine in engines:
        return
    where = spec.locate("engine", "kind") if "engine" in spec.raw else spec.locate("name")
    raise PluginError(
        f"{where}the {kind} {name!r} runs on the {' or '.join(engines)} engine, and this drill runs on "
        f"`{engine}`. Set `engine: {{kind: {engines[0]}}}` in the drill file, or pick a {kind} made for `{engine}` "
        "(`drillbook list` says which engines each runs on)."
    )


def needed_images(spec: DrillSpec, scenario: Scenario) -> tuple[str, ...]:
    """Every image the drill starts: the target's, the scenario's (a release), the monitoring's."""
    needed = (*spec.target.images, *scenario.images(spec.target, **dict(spec.model.scenario.with_)))
    return (*needed, recipes.MONITORING_IMAGE) if spec.model.monitoring is not None else needed


def _scenario(spec: DrillSpec) -> Scenario:
    model, folder = spec.model.scenario, spec.path.parent
    if model.steps is not None:
        declared.check(spec.target, model.steps, folder, "scenario", lambda i: spec.locate("scenario", "steps", i))
        declared.check(spec.target, model.revert, folder, "revert", lambda i: spec.locate("scenario", "revert", i))
        return declared_fault.scenario(
            model.name, model.description, model.expected_alerts, model.steps, model.revert, folder
        )
    scenario = SCENARIOS.get(model.name)
    params = model.with_
    check_arguments("scenario", scenario.name, scenario.inject, 1, params, lambda p: spec.locate("scenario", "with", p))
    scenario.check(spec.target, **params)
    return scenario


def _procedure(spec: DrillSpec) -> AnyProcedure | None:
    model = spec.model.recovery
    if model is None:
        return None
    if model.steps is not None:
        declared.check(
            spec.target, model.steps, spec.path.parent, "recovery", lambda i: spec.locate("recovery", "steps", i)
        )
        return declared.procedure(model.steps, spec.path.parent)
    if model.runbook is not None:
        where = spec.locate("recovery" if "recovery" in spec.raw else "compare", "runbook", "section")
        chosen = runbook.section(spec.path.parent / model.runbook.file, model.runbook.section, where)
        return runbook.procedure(chosen, model.values, model.runbook.timeout_s)
    procedure = PROCEDURES.get(model.name)
    section = "recovery" if "recovery" in spec.raw else "compare"
    check_arguments(
        "recovery procedure",
        procedure.name,
        procedure.options,
        0,
        model.with_,
        lambda param: spec.locate(section, "with", param) if section == "recovery" else spec.locate(section),
    )
    procedure.check(spec.target, procedure.options(**model.with_))
    return procedure


def planned(spec: DrillSpec, scenario: Scenario) -> Plan | None:
    """The drill's monitoring, every file checked (promtool included); None without one."""
    model = spec.model.monitoring
    if model is None:
        return None
    return plan(
        model,
        spec.path.parent,
        spec.target,
        spec.model.alerts.time_scale,
        scenario.expected_alerts,
        spec.locate,
    )
