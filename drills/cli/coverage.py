"""`drillbook coverage`: the guide's incidents against the drills and their last runs.

Exit codes: 0 every recoverable incident is rehearsed within the last 30 days,
1 one is not covered, never run or stale (a CI job can fail on a gap), 2 bad
input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table

from drillbook.drills import spec as spec_module
from drillbook.drills.campaigns import coverage, gameday_file
from drillbook.drills.campaigns.history import History
from drillbook.drills.cli.files import CATALOG, history_path
from drillbook.errors import DrillbookError, ExitCode

GAPS = ("not covered", "never run", "stale")


def drill_scenarios(folders: Iterable[pathlib.Path]) -> dict[str, str]:
    """Each drill file's name and scenario, from the drill files under `folders` (game days skipped)."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.yaml")):
            if gameday_file.is_gameday(path):
                continue
            model = spec_module.load(path).model
            found[model.name] = model.scenario.name
    return found


def drill_folders(given: list[pathlib.Path] | None) -> list[pathlib.Path]:
    """The folders of drill files coverage reads (`--drills`, the catalog by default), each checked."""
    folders = given or [CATALOG]
    for folder in folders:
        if not folder.is_dir():
            raise DrillbookError(f"The drills folder {folder} is not a folder; give one with drill files (--drills).")
    return folders


def cmd_coverage(args: argparse.Namespace, console: Console) -> ExitCode:
    drills = drill_scenarios(drill_folders(args.drills))
    store = History(history_path(args))
    try:
        runs = store.runs(limit=100_000)
    finally:
        store.close()
    found = coverage.rows(drills, runs, dt.datetime.now(dt.UTC))
    if args.json:
        console.out(json.dumps([_as_json(r) for r in found], indent=2), highlight=False)
    else:
        _print(console, found)
    return ExitCode.OBJECTIVE_MISSED if any(r.status in GAPS for r in found) else ExitCode.OK


def _print(console: Console, found: list[coverage.Row]) -> None:
    """A row per incident and drill: the drill's name is whole, the incident's title may fold."""
    table = Table(title="the guide's incidents, drilled")
    names = [c.drill for r in found for c in r.drills]
    table.add_column("incident", overflow="fold", ratio=1)
    table.add_column("sev", no_wrap=True)
    table.add_column("status", overflow="fold")
    table.add_column("drill", no_wrap=True, min_width=max([5, *(len(n) for n in names)]))
    table.add_column("last run", overflow="fold")
    for r in found:
        first = (r.incident.title, r.incident.severity, r.status)
        if not r.drills:
            table.add_row(*first, "—", "—")
        for i, c in enumerate(r.drills):
            table.add_row(*(first if i == 0 else ("", "", "")), c.drill, _last(c))
    console.print(table)
    gaps = [r for r in found if r.status in GAPS]
    if gaps:
        console.out(
            f"{len(gaps)} incident(s) not rehearsed in the last {coverage.STALE_DAYS} days: "
            + ", ".join(r.incident.title for r in gaps),
            highlight=False,
        )


def _last(c: coverage.Covering) -> str:
    if c.last_run is None:
        return "never run"
    return f"{c.last_run:%Y-%m-%d}, {c.verdict}"


def _as_json(r: coverage.Row) -> dict[str, Any]:
    return {
        "incident": r.incident.key,
        "title": r.incident.title,
        "severity": r.incident.severity,
        "source": r.incident.source,
        "status": r.status,
        "drills": [
            {
                "drill": c.drill,
                "scenario": c.scenario,
                "last_run": c.last_run.isoformat() if c.last_run else None,
                "verdict": c.verdict,
            }
            for c in r.drills
        ],
    }
