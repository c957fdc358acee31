"""`drillbook`: list, validate, plan, run, gameday, rehearse, report, history, cleanup, images.

Exit codes (drillbook.errors.ExitCode): 0 every objective met, 1 an objective
missed, 2 bad input or the harness could not run, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import queue
import sys
import tempfile
import threading
from collections.abc import Sequence
from typing import Any

import jinja2
from rich.console import Console
from rich.markup import escape

from drillbook import contract, inputs, reports
from drillbook.drills import schema as schema_module
from drillbook.drills import spec as spec_module
from drillbook.drills.campaigns import comparison
from drillbook.drills.campaigns import gameday as gameday_module
from drillbook.drills.campaigns.history import History
from drillbook.drills.campaigns.rehearsal import HandOver
from drillbook.drills.cli import arguments, completion, coverage, init, plan, readiness, runbook, tables
from drillbook.drills.cli import gameday as gameday_cli
from drillbook.drills.cli.files import CATALOG, VERDICT_EXIT, history_path, resolve_drill_file
from drillbook.drills.cli.history import cmd_history
from drillbook.drills.cli.live import LiveView
from drillbook.drills.cli.summary import print_summary
from drillbook.drills.observe import alerts
from drillbook.drills.result import DrillResult
from drillbook.drills.run.masking import Masker
from drillbook.drills.run.runner import DrillRunner, resolve_plugins
from drillbook.errors import DrillbookError, ExitCode, ResultError
from drillbook.recovery import REGISTRY as PROCEDURES
from drillbook.recovery.base import AnyProcedure
from drillbook.reports import documents, pdf
from drillbook.scenarios import REGISTRY as SCENARIOS
from drillbook.scenarios.base import Scenario


def main(argv: Sequence[str] | None = None) -> int:
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        args = arguments.build_parser().parse_args(argv)
        command = {
            "list": cmd_list,
            "validate": cmd_validate,
            "plan": plan.cmd_plan,
            "init": init.cmd_init,
            "run": cmd_run,
            "gameday": gameday_cli.cmd_gameday,
            "rehearse": cmd_rehearse,
            "report": cmd_report,
            "images": cmd_images,
            "cleanup": cmd_cleanup,
            "history": cmd_history,
            "completion": cmd_completion,
            "schema": cmd_schema,
            "runbook": runbook.cmd_runbook,
            "coverage": coverage.cmd_coverage,
            "readiness": readiness.cmd_readiness,
        }[args.command]
        return int(command(args, console))
    except DrillbookError as exc:
        errors.print(f"[bold red]drillbook:[/] {escape(str(exc))}", markup=True, soft_wrap=True)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        errors.print("drillbook: interrupted")
        return int(ExitCode.INTERRUPTED)
    except SystemExit as exc:  # --help: argparse printed it and wants to stop
        return int(exc.code or 0) if isinstance(exc.code, int | None) else int(ExitCode.BAD_INPUT)


def cmd_list(args: argparse.Namespace, console: Console) -> ExitCode:
    paths = sorted(CATALOG.glob("*.yaml"))
    sections: dict[str, list[tuple[str, str]]] = {
        "drills": [(p.name, spec_module.load(p).model.description) for p in paths if not gameday_module.is_gameday(p)],
        "game days": [(p.name, gameday_module.read(p).description) for p in paths if gameday_module.is_gameday(p)],
        "scenarios": [(n, _on(SCENARIOS.get(n))) for n in SCENARIOS.names()],
        "recovery procedures": [(n, _on(PROCEDURES.get(n))) for n in PROCEDURES.names()],
        "alert rules": [(r.name, f"{r.description} ({r.severity})") for r in alerts.RULES],
    }
    if args.json:
        doc = {
            title.replace(" ", "_"): [{"name": n, "description": d} for n, d in rows]
            for title, rows in sections.items()
        }
        console.out(json.dumps(doc, indent=2), highlight=False)
        return ExitCode.OK
    width = max(len(name) for rows in sections.values() for name, _ in rows) + 2
    for title, rows in sections.items():
        console.print(f"[bold]{title}[/]" + (" (drills/catalog/)" if title in ("drills", "game days") else ""))
        for name, description in rows:
            console.out(f"  {name:<{width}}{description}", highlight=False)
    return ExitCode.OK


def _on(plugin: Scenario | AnyProcedure) -> str:
    """Its description, and the engines it runs on unless it is the single one only."""
    engines = "" if plugin.engines == ("docker",) else f" (engine: {', '.join(plugin.engines)})"
    return plugin.description + engines


def cmd_validate(args: argparse.Namespace, console: Console) -> ExitCode:
    path = resolve_drill_file(args.file)
    if gameday_module.is_gameday(path):
        with tempfile.TemporaryDirectory(prefix="drillbook-validate-") as scratch:
            gameday = gameday_module.load(path, pathlib.Path(scratch))
        console.out(f"{path}: valid game day {gameday.name!r} with {len(gameday.drills)} drills", highlight=False)
        return ExitCode.OK
    spec = spec_module.load(path)
    resolve_plugins(spec)
    console.out(f"{path}: valid drill {spec.name!r}", highlight=False)
    for warning in Masker.for_target(spec.target).clashes(identifiers(spec)):
        console.out(f"{path}: warning: {warning}", highlight=False)
    for ignored in spec.target.ignored:
        console.out(f"{path}: ignored in the Compose file: {ignored}", highlight=False)
    return ExitCode.OK


def identifiers(spec: spec_module.DrillSpec) -> list[tuple[str, str]]:
    """The names a drill writes as they are: its own, its services', their images."""
    target = spec.target
    return [("drill name", spec.name), *(("service", s.name) for s in target.services)] + [
        ("image", s.image) for s in target.services
    ]


def cmd_completion(args: argparse.Namespace, console: Console) -> ExitCode:
    drills = sorted(p.stem for p in CATALOG.glob("*.yaml"))
    sys.stdout.write(completion.script(args.shell, arguments.build_parser(), drills))
    return ExitCode.OK


def cmd_schema(args: argparse.Namespace, console: Console) -> ExitCode:
    """Editors complete drill files from the drill schema; other tools read results safely with the other."""
    schema = schema_module.json_schema() if args.kind == "drill" else contract.json_schema()
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return ExitCode.OK


def cmd_run(args: argparse.Namespace, console: Console) -> ExitCode:
    inputs.writable_folder(args.out, "output folder (--out)")
    loaded = [spec_module.load(resolve_drill_file(f)) for f in args.files]
    specs = [variant for spec in loaded for variant in spec.compared()]
    for spec in specs:
        resolve_plugins(spec)
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
    scenario, procedure = resolve_plugins(spec)
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


def cmd_report(args: argparse.Namespace, console: Console) -> ExitCode:
    if args.pdf and (args.output is None or args.format not in ("html", "md")):
        raise DrillbookError("--pdf prints the HTML report into a file: give -o FILE.pdf (and no other --format).")
    if args.pdf:
        pdf.browser()
    if args.output is not None:
        inputs.writable_file(args.output, "report file (-o)")
    try:
        document = documents.load(args.result)
    except documents.DocumentError as exc:
        raise ResultError(
            f"Cannot read the result: {exc}. Give a result.json written by `drillbook run`, its folder, "
            "or the journal.jsonl a killed drill left there."
        ) from None
    try:
        text = reports.render("html" if args.pdf else args.format, document)
    except (jinja2.TemplateError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # The core was checked on reading; a field beyond it of the wrong shape ends here.
        raise ResultError(
            f"The result {args.result} has the contract's core but a field the {args.format} report needs is "
            f"missing or of the wrong shape ({type(exc).__name__}: {str(exc)[:200]}). Render a result.json "
            "written by `drillbook run` as it was written."
        ) from None
    if args.output is None:
        sys.stdout.write(text)
    elif args.pdf:
        with tempfile.TemporaryDirectory(prefix="drillbook-report-") as scratch:
            page = pathlib.Path(scratch) / "report.html"
            page.write_text(text)
            pdf.write(page, args.output)
        console.out(f"wrote {args.output}", highlight=False)
    else:
        try:
            args.output.write_text(text)
        except OSError as exc:
            raise ResultError(f"Cannot write {args.output}: {exc.strerror or exc}. Give another -o path.") from None
        console.out(f"wrote {args.output}", highlight=False)
    return ExitCode.OK


def cmd_cleanup(args: argparse.Namespace, console: Console) -> ExitCode:
    from drillbook.replicas import cleanup, engine

    client = engine.connect()
    found = cleanup.survey(client)
    if args.drill:
        found = [d for d in found if d.drill_id == args.drill]
    chosen = [d for d in found if args.include_running or args.drill or not d.alive]
    for d in found:
        if d not in chosen:
            console.print(
                f"left alone: {d.drill_id} ({d.count} objects): its harness is still running "
                "(--include-running removes it too)"
            )
    removed = 0
    for d in chosen:
        removed += cleanup.remove_drill_objects(client, d.drill_id)
        console.out(f"removed {d.drill_id}: {', '.join(d.containers + d.networks + d.volumes)}")
    clusters = _cleanup_clusters(args, console)
    console.print(
        f"cleanup: {removed} objects removed" + (f", {clusters} local cluster(s)" if clusters else "")
        if chosen or clusters
        else "cleanup: nothing to remove"
    )
    return ExitCode.OK


def _cleanup_clusters(args: argparse.Namespace, console: Console) -> int:
    """Local Swarm clusters, found through their state files: their daemons, namespaces and links
    carry no label."""
    from drillbook.replicas import labels
    from drillbook.replicas.cluster import local, state

    removed = 0
    for folder in state.found(args.clusters):
        cluster = state.read(folder)
        if args.drill and cluster.drill_id != args.drill:
            continue
        if labels.owner_alive(cluster.owner) and not (args.include_running or args.drill):
            console.print(f"left alone: local cluster of {cluster.drill_id}: its harness is still running")
            continue
        console.out(f"removed local cluster of {cluster.drill_id}: {', '.join(local.remove(cluster))}")
        removed += 1
    return removed


def cmd_images(args: argparse.Namespace, console: Console) -> ExitCode:
    from drillbook.replicas import engine, images

    images.ensure(engine.connect(), list(images.RECIPES), lambda m: console.print(m))
    console.print("images are up to date")
    return ExitCode.OK
