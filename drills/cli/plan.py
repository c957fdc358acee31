"""`drillbook plan`: what a drill would do, phase by phase, and its preconditions checked for real.

With backups or a standby, the preconditions (a dump taken, the WAL archived,
the standby streaming) are checked on a replica with no load and no fault.
"""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from drillbook.drills import preconditions, resolve
from drillbook.drills import spec as spec_module
from drillbook.drills.cli.files import resolve_drill_file
from drillbook.drills.judge import objectives
from drillbook.drills.observe import alerts
from drillbook.drills.run import signals
from drillbook.errors import ExitCode
from drillbook.recovery.base import AnyProcedure
from drillbook.recovery.runbook.commands import of_sections
from drillbook.recovery.runbook.procedure import section as runbook_section
from drillbook.scenarios.base import Scenario


def cmd_plan(args: argparse.Namespace, console: Console) -> ExitCode:
    spec = spec_module.load(resolve_drill_file(args.file))
    variants = spec.compared()
    scenario, procedure = resolve.plugins(variants[0])
    recoveries = [procedure, *(resolve.plugins(variant)[1] for variant in variants[1:])]
    m = spec.model
    say = console.print
    say(f"[bold]Drill {spec.name}[/]: {escape(m.description or scenario.description)}")
    _provision(spec, say)
    _phases(spec, scenario, procedure, recoveries, say)
    b = spec.target.backups
    if args.offline or (b.service is None and b.standby is None and not spec.target.write_flows):
        say("[dim]Nothing was started: this was a plan.[/]")
        return ExitCode.OK
    return check_preconditions(spec, args.wait, console)


def _provision(spec: spec_module.DrillSpec, say: Callable[[str], object]) -> None:
    m, target = spec.model, spec.target
    say("1. provision")
    for service in target.services:
        say(
            f"   - {service.name}: image {escape(service.image)}, memory limit {escape(service.mem_limit or 'none')}, "
            f"port {service.port} published on 127.0.0.1"
        )
    say(
        f"   - load: {m.load.users} users, {m.load.rate:g} req/s, timeout {m.load.timeout_s:g} s, "
        f"locustfile {escape(str(target.locustfile))}"
    )
    say(
        f"   - probes every {m.probes.interval_s:g} s: health {escape(target.health)}, "
        + ", ".join(escape(f"{f.method} {f.path}" if f.method != "GET" else f.path) for f in target.key_flows)
        + ", database SELECT 1"
    )
    for flow in target.write_flows:
        compared = escape(", ".join(flow.fields))
        say(f"   - write flow {escape(flow.name)!r}: its id at {escape(flow.id_field)}, compared {compared}")
    say(f"   - deploys: {target.deploy}")
    if m.runbooks():
        _toolbox(spec, say)


def _toolbox(spec: spec_module.DrillSpec, say: Callable[[str], object]) -> None:
    """Where a runbook recovery's commands run, and which of its placeholders nothing fills."""
    m, target = spec.model, spec.target
    hosts = ", ".join(f"{n} -> {s}" for n, s in sorted(target.hosts.items())) or "none"
    roles = [b.role.user for b in m.runbooks() if b.role is not None]
    login = f"role {roles[0]}" if roles else "administrator"
    say(
        escape(
            "   - toolbox (the runbook's commands run there, never here): drillbook/toolbox:1 on an internal "
            f"network with no route out; production hosts {hosts}; DATABASE_URL the database's {login}"
        )
    )
    for recovery in [m.recovery, *m.compare]:
        if recovery is None or recovery.runbook is None:
            continue
        book = recovery.runbook
        found, _listed = of_sections(runbook_section(spec.path.parent / book.file, book.section, ""))
        left = sorted({p for c in found if c.kind == "command" for p in c.filled(recovery.values)[1]})
        if left:
            say(
                escape(
                    f"   - runbook {book.section!r}: placeholders with no value: {', '.join(left)} "
                    "(their commands will not run: give them in `values:`)"
                )
            )


def _phases(
    spec: spec_module.DrillSpec,
    scenario: Scenario,
    procedure: AnyProcedure | None,
    recoveries: list[AnyProcedure | None],
    say: Callable[[str], object],
) -> None:
    m = spec.model
    warm = f"after {m.phases.warmup_s:g} s of warm-up load, " if m.phases.warmup_s else ""
    say(
        f"2. steady state for {m.phases.steady_state_s:g} s (a window of {m.steady_state.windows} at most), "
        f"{warm}error rate ≤ "
        f"{m.steady_state.max_error_rate:.0%}, mean latency ≤ {m.steady_state.max_mean_latency_ms:g} ms; "
        "every write flow proven by an acknowledged write"
    )
    say(
        f"3. inject {escape(scenario.describe(dict(m.scenario.with_)))}"
        + (f", reverted after {m.scenario.hold_s:g} s" if m.scenario.hold_s else "")
    )
    for line in scenario.steps:
        say(f"   - {line}")
    say(f"4. detect (within {m.phases.detect_timeout_s:g} s), alert windows × {m.alerts.time_scale:g}:")
    for rule in alerts.RULES:
        expected = " (expected)" if rule.name in scenario.expected_alerts else ""
        window = m.alerts.windows_s.get(rule.name, rule.window_s * m.alerts.time_scale)
        say(f"   - {rule.name}: {rule.description}; window {window:g} s{expected}")
    if m.compare:
        say(f"5. recover, once per procedure, each on a fresh replica: {', '.join(r.name for r in m.compare)}")
        for r in recoveries:
            assert r is not None
            say(f"   - {r.name}: " + "; ".join(escape(step.name) for step in r.steps))
    elif procedure is None:
        say("5. recover: no procedure (the fault must heal or be reverted by its hold time)")
    else:
        say(f"5. recover with {procedure.name}:")
        for step in procedure.steps:
            say(f"   - {step.name}: {step.description}")
    say(f"6. verify: a clean window of {m.phases.verify_window_s:g} s, then every acknowledged write checked by SQL")
    rto, rpo = objectives.targets(m.objectives.tier, m.objectives.rto_s, m.objectives.rpo_s)
    say(f"7. objectives ({m.objectives.tier}): RTO {rto:g} s, RPO {rpo:g} s")
    say("8. teardown: every container, network and volume with the drill's labels")


def check_preconditions(spec: spec_module.DrillSpec, wait_s: float, console: Console) -> ExitCode:
    """Start the replica with its backups and no fault; check what the procedures need, and the data
    check under a few seconds of load."""
    from drillbook.replicas import engine, images
    from drillbook.replicas.replica import Replica

    client = engine.connect()
    images.ensure(
        client, spec.target.images, lambda m: console.out(f"images: {m}", highlight=False), spec.target.builds
    )
    drill_id = f"plan-{spec.name}-{secrets.token_hex(4)}"[:60]
    console.print(f"[bold]Checking the preconditions[/] on a replica with no fault in it ({drill_id}) …")
    try:
        with (
            signals.Interrupts(),
            Replica(client, spec.target, drill_id, lambda _k, d: console.out(f"   {d}", highlight=False)) as r,
        ):
            found = preconditions.check(r, wait_s)
            if spec.target.write_flows:
                found.append(preconditions.data_check(r, spec.model.load))
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted: the replica was torn down, nothing was checked to the end.[/]")
        return ExitCode.INTERRUPTED
    console.print(f"[bold]Preconditions of {spec.name}[/]")
    for c in found:
        mark = "[green]met[/]    " if c.ok else "[red]NOT MET[/]"
        console.print(f"{mark} {escape(c.name)} (for {c.needed_by}): {escape(c.detail)}", soft_wrap=True)
    console.print("[dim]The replica was torn down; no fault was injected.[/]")
    return ExitCode.OK if all(c.ok for c in found) else ExitCode.OBJECTIVE_MISSED
