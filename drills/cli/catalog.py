"""`drillbook list`, `validate`, `completion` and `schema`: what the catalog holds and whether a
drill file is one, without an engine."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tempfile

from rich.console import Console

from drillbook import contract
from drillbook.drills import resolve
from drillbook.drills import schema as schema_module
from drillbook.drills import spec as spec_module
from drillbook.drills.campaigns import gameday_file
from drillbook.drills.cli import arguments, completion
from drillbook.drills.cli.files import CATALOG, resolve_drill_file
from drillbook.drills.observe import alerts
from drillbook.drills.run.masking import Masker
from drillbook.errors import ExitCode
from drillbook.recovery import REGISTRY as PROCEDURES
from drillbook.recovery.base import AnyProcedure
from drillbook.scenarios import REGISTRY as SCENARIOS
from drillbook.scenarios.base import Scenario


def cmd_list(args: argparse.Namespace, console: Console) -> ExitCode:
    paths = sorted(CATALOG.glob("*.yaml"))
    sections: dict[str, list[tuple[str, str]]] = {
        "drills": [(p.name, spec_module.load(p).model.description) for p in paths if not gameday_file.is_gameday(p)],
        "game days": [(p.name, gameday_file.read(p).description) for p in paths if gameday_file.is_gameday(p)],
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
    if gameday_file.is_gameday(path):
        with tempfile.TemporaryDirectory(prefix="drillbook-validate-") as scratch:
            gameday = gameday_file.load(path, pathlib.Path(scratch))
        console.out(f"{path}: valid game day {gameday.name!r} with {len(gameday.drills)} drills", highlight=False)
        return ExitCode.OK
    spec = spec_module.load(path)
    resolve.plugins(spec)
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
