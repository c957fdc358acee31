"""`drillbook gameday`: a suite of drills in one run, or fanned out over CI runners.

`gameday FILE` runs every drill; `gameday FILE --plan N --out PLAN.json` splits it
into N shards balanced by the drills' recorded durations; `gameday FILE --shard K
--plan PLAN.json` runs shard K; `gameday merge DIR... --out DIR` makes one game day
of the shards' folders (drills/campaigns/shards.py).
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rich.console import Console
from rich.markup import escape

from drillbook import inputs
from drillbook.drills import resolve
from drillbook.drills import spec as spec_module
from drillbook.drills.campaigns import evidence, gameday_file, shards
from drillbook.drills.campaigns import gameday as gameday_module
from drillbook.drills.campaigns.history import History
from drillbook.drills.cli import tables
from drillbook.drills.cli.files import VERDICT_EXIT, history_path
from drillbook.drills.cli.live import LiveView
from drillbook.drills.cli.summary import print_summary
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.timeline import Event
from drillbook.errors import DrillbookError, ExitCode, SpecError
from drillbook.reports import pdf


def cmd_gameday(args: argparse.Namespace, console: Console) -> ExitCode:
    words = list(args.file)
    if words and words[0] == "merge":
        return _merge([pathlib.Path(w) for w in words[1:]], args, console)
    if len(words) != 1:
        raise DrillbookError(
            f"gameday takes one game-day file, not {len(words)} ({' '.join(words)}); to make one game day of "
            "shards' folders, run `drillbook gameday merge DIR... --out DIR`."
        )
    args.file = pathlib.Path(words[0])
    if args.shard is None and args.plan is None:
        return _run(args, console, None)
    if args.shard is None:
        return _plan(args, console)
    if args.plan is None:
        raise DrillbookError("--shard K runs one shard of a plan: give the plan too (--plan PLAN.json).")
    return _run(args, console, (args.shard, shards.read_plan(pathlib.Path(args.plan))))


def _plan(args: argparse.Namespace, console: Console) -> ExitCode:
    """PLAN.json into --out: every drill checked first, nothing started."""
    try:
        count = int(args.plan)
    except ValueError:
        raise DrillbookError(
            f"--plan {args.plan!r}: without --shard, --plan takes the number of shards (`--plan 2 --out "
            "plan.json`); with --shard K it takes the plan file."
        ) from None
    out = pathlib.Path(args.out)
    if out.suffix != ".json":
        raise DrillbookError(f"--plan writes a JSON file: give --out PLAN.json, not {out}.")
    inputs.writable_file(out, "game-day plan (--out)")
    with tempfile.TemporaryDirectory(prefix="drillbook-gameday-") as scratch:
        gameday = gameday_file.load(args.file, pathlib.Path(scratch))
    names = [d.name for d in gameday.drills]
    shards.plan(gameday.name, names, count, {})  # the count refused before the history is opened
    durations: dict[str, float] = {}
    if history_path(args).is_file():  # read only: planning never creates a history
        store = History(history_path(args))
        try:
            for name in names:
                runs = [float(d["duration_s"]) for d in store.documents(name) if d.get("duration_s") is not None]
                if runs:
                    durations[name] = runs[-1]
        finally:
            store.close()
    chosen = shards.plan(gameday.name, names, count, durations)
    out.write_text(chosen.model_dump_json(indent=1) + "\n")
    basis = "recorded durations" if chosen.basis == "history" else "drill counts (no history yet)"
    console.print(f"[bold]plan for {escape(gameday.name)}[/]: {count} shard(s) balanced by {basis}")
    for k, (drills, estimate) in enumerate(zip(chosen.shards, chosen.estimated_s, strict=True), start=1):
        guess = f" (~{estimate:g} s)" if chosen.basis == "history" else ""
        console.print(f"  shard {k}{guess}: {escape(', '.join(drills))}")
    console.print(
        f"plan: {escape(str(out))}; run each shard with `drillbook gameday {escape(str(args.file))} "
        f"--shard K --plan {escape(str(out))}`"
    )
    return ExitCode.OK


def _merge(folders: list[pathlib.Path], args: argparse.Namespace, console: Console) -> ExitCode:
    if not folders:
        raise DrillbookError("gameday merge takes the shards' folders: `drillbook gameday merge DIR... --out DIR`.")
    if args.shard is not None or args.plan is not None:
        raise DrillbookError("gameday merge reads the plan from the shards' folders: leave out --shard and --plan.")
    read = [shards.read_shard(f) for f in folders]
    shards.check_merge(read)
    out = inputs.writable_folder(args.out, "output folder (--out)")
    if any(out.resolve() == f.resolve() for f in folders):
        raise SpecError(f"--out {out} is one of the shards' folders; merge into a folder of its own.")
    store = History(history_path(args))
    try:
        gdoc = shards.merge(read, out, store)
    finally:
        store.close()
    tables.print_gameday(console, gdoc)
    _evidence(args, console, gdoc)
    console.print(
        f"merged {len(read)} shards: index {escape(str(out / 'index.html'))} · junit {escape(str(out / 'junit.xml'))}"
    )
    return max((VERDICT_EXIT[r["verdict"]] for r in gdoc["drills"]), default=ExitCode.OK)


def _sharded(
    gameday: gameday_file.GameDay, shard: tuple[int, shards.PlanModel] | None, plan_path: str | None
) -> tuple[gameday_file.GameDay, dict[str, Any] | None]:
    """The game day cut to shard K of the plan, and what its gameday.json says of the shard."""
    if shard is None:
        return gameday, None
    k, chosen = shard
    names = shards.shard_of(chosen, gameday.name, [d.name for d in gameday.drills], k, pathlib.Path(str(plan_path)))
    record = {
        "k": k,
        "of": len(chosen.shards),
        "plan": chosen.model_dump(),
        "model": gameday.model.model_dump(mode="json", by_alias=True),
        "file": str(gameday.path),
        "scenarios": {d.name: d.model.scenario.name for d in gameday.drills},
    }
    return replace(gameday, drills=tuple(d for d in gameday.drills if d.name in names)), record


def _run(args: argparse.Namespace, console: Console, shard: tuple[int, shards.PlanModel] | None) -> ExitCode:
    inputs.writable_folder(args.out, "output folder (--out)")
    if args.pdf:
        pdf.browser()
    from drillbook.replicas import engine, images

    # Checked whole, the engine reached and the images there, before anything is written to --out.
    with tempfile.TemporaryDirectory(prefix="drillbook-gameday-") as scratch:
        checked, _ = _sharded(gameday_file.load(args.file, pathlib.Path(scratch)), shard, args.plan)
        client = engine.connect()
        needed = [image for d in checked.drills for image in drill_images(d)]
        builds = {tag: b for d in checked.drills for tag, b in d.target.builds.items()}
        images.ensure(client, list(dict.fromkeys(needed)), lambda m: console.out(f"images: {m}"), builds)
    gameday, shard_record = _sharded(gameday_file.load(args.file, args.out / "drills"), shard, args.plan)
    console.print(f"[bold]game day {gameday.name}[/]: {len(gameday.drills)} drills, results in {escape(str(args.out))}")
    current: list[DrillRunner] = []
    view = LiveView(console, lambda: current[-1].status() if current else None, gameday.name, enabled=not args.no_live)

    def factory(
        spec: spec_module.DrillSpec, out: pathlib.Path, progress: Callable[[Event], object], *, allow_remote: bool
    ) -> DrillRunner:
        runner = DrillRunner(spec, out, progress, allow_remote=allow_remote)
        current.append(runner)
        view.title = f"{gameday.name} · {spec.name}"
        return runner

    store = History(history_path(args))
    try:
        with view:
            outcome = gameday_module.run(
                gameday,
                args.out,
                store,
                progress=view.event,
                before_drill=lambda i, d: view.line(f"[bold]── drill {i + 1}/{len(gameday.drills)}: {d.name} ──[/]"),
                after_drill=lambda r: print_summary(console, r.document, str(r.result_path)),
                allow_remote=args.allow_remote,
                runner_factory=factory,
                shard=shard_record,
            )
    finally:
        store.close()
    gdoc = outcome.document
    if args.pdf:
        pdf.write(args.out / "index.html", args.out / "index.pdf")
    tables.print_gameday(console, gdoc)
    console.print(
        f"index: {args.out / 'index.html'} · junit: {args.out / 'junit.xml'} · summary: {args.out / 'summary.md'}"
    )
    _evidence(args, console, gdoc)
    return max((VERDICT_EXIT[r["verdict"]] for r in gdoc["drills"]), default=ExitCode.OK)


def _evidence(args: argparse.Namespace, console: Console, gdoc: dict[str, Any]) -> None:
    """The game day's JSON and Markdown committed to --evidence, when one is given."""
    if not args.evidence:
        return
    files = gameday_module.evidence_files(gdoc, args.out)
    sha = evidence.commit(args.evidence, args.evidence_branch, files, gameday_module.evidence_message(gdoc))
    console.out(f"evidence: commit {sha[:10]} on {args.evidence_branch} in {args.evidence} ({len(files)} files)")


def drill_images(spec: spec_module.DrillSpec) -> tuple[str, ...]:
    return resolve.needed_images(spec, resolve.plugins(spec)[0])
