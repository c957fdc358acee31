"""`drillbook run` and `drillbook rehearse`: drills for real, unattended or handed to a person."""

from __future__ import annotations

import argparse
import queue
import sys
import threading
from typing import Any

from rich.console import Console

from drillbook import inputs
from drillbook.drills import resolve
from drillbook.drills import spec as spec_module
from drillbook.drills.campaigns import comparison
from drillbook.drills.campaigns.history import History
from drillbook.drills.campaigns.rehearsal import HandOver
from drillbook.drills.cli import tables
from drillbook.drills.cli.files import VERDICT_EXIT, history_path, resolve_drill_file
from drillbook.drills.cli.live import LiveView
from drillbook.drills.cli.summary import print_summary
from drillbook.drills.result import DrillResult
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import DrillbookError, ExitCode
from drillbook.recovery import REGISTRY as PROCEDURES


def cmd_run(args: argparse.Namespace, console: Console) -> ExitCode:
    inputs.writable_folder(args.out, "output folder (--out)")
    loaded = [spec_module.load(resolve_drill_file(f)) for f in args.files]
    specs = [variant for spec in loaded for variant in spec.compared()]
    for spec in specs:
        resolve.plugins(spec)
    worst = ExitCode.OK
    documents: dict[str, dict[str, Any]] = {}
    for spec in specs:
        out = args.out / spec.name if len(specs) > 1 else args.out
        runner = DrillRunner(spec, out, allow_remote=args.allow_remote)
        result = watched(runner, console, spec.name, live=not args.no_live)
        print_summary(console, runner.document, str(runner.result_path))
        documents[spec.name] = runner.document
        store = History(history_path(args))
        try:
            store.add(runner.document, runner.result_path)
        finally:
            store.close()
        code = VERDICT_EXIT[result.verdict]
        worst = max(worst, code)
        if code == ExitCode.INTERRUPTED:
            break
    for spec in loaded:
        ran = [v.name for v in spec.compared() if v.name in documents] if spec.model.compare else []
        if ran:
            rows = [comparison.row(documents[name], name) for name in ran]
            where = comparison.write(args.out, spec.name, spec.model.scenario.name, rows)
            tables.print_comparison(console, spec.name, rows, where)
    return worst


def watched(runner: DrillRunner, console: Console, title: str, *, live: bool) -> DrillResult:
    """Run with its events printed and, on a terminal, the live status line below them."""
    view = LiveView(console, runner.status, title, enabled=live)
    runner.progress = view.event
    with view:
        return runner.run()


def cmd_rehearse(args: argparse.Namespace, console: Console) -> ExitCode:
    if not sys.stdin.isatty():
        raise DrillbookError(
            "drillbook rehearse hands the incident to a person at a terminal, and standard input is not one "
            "(a pipe, a file or /dev/null: no key press could ever come). Run it from a terminal, or run the "
            f"drill unattended with `drillbook run {args.file}`."
        )
    inputs.writable_folder(args.out, "output folder (--out)")
    spec = spec_module.load(resolve_drill_file(args.file))
    if spec.model.compare:
        raise DrillbookError(
            f"{args.file} compares {len(spec.model.compare)} procedures; a rehearsal hands one incident to one "
            "engineer with one checklist. Rehearse a drill with a single `recovery:` instead."
        )
    scenario, procedure = resolve.plugins(spec)
    if procedure is None and scenario.expected_recovery not in PROCEDURES.names():
        raise DrillbookError(
            f"{args.file} declares its own fault {scenario.name!r} and no recovery, so a rehearsal has no checklist "
            "to hand over and nothing to recover with at its timeout. Give the drill a `recovery:` (a procedure, "
            "or its own `steps:`)."
        )
    commands: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_commands, args=(commands,), name="drillbook-keys", daemon=True).start()
    view = LiveView(console, lambda: runner.status(), f"rehearsal {spec.name}", enabled=not args.no_live)
    hand_over = HandOver(say=view.line, commands=commands, engineer=args.engineer, timeout_s=args.timeout)
    runner = DrillRunner(spec, args.out, view.event, allow_remote=args.allow_remote, recovery=hand_over)
    console.print(
        f"[bold]Rehearsal {spec.name}[/]: drillbook starts the replica and the load, breaks it, and hands over "
        f"when the alert fires. You have {args.timeout:g} s before it steps in."
    )
    with view:
        result = runner.run()
    print_summary(console, runner.document, str(runner.result_path))
    tables.print_score(console, runner.document)
    store = History(history_path(args))
    try:
        store.add(runner.document, runner.result_path)
    finally:
        store.close()
    return VERDICT_EXIT[result.verdict]


def _read_commands(commands: queue.Queue[str]) -> None:
    """Lines typed by the engineer; stops at end of input (nothing typed is not a command)."""
    for line in sys.stdin:
        commands.put(line.rstrip("\n"))
