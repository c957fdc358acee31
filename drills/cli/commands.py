"""`drillbook`: list, validate, plan, run, gameday, rehearse, report, history, cleanup, images.

Exit codes (drillbook.errors.ExitCode): 0 every objective met, 1 an objective
missed, 2 bad input or the harness could not run, 130 interrupted.

A command's module is imported when that command runs, not before: the whole harness
(the engine's client, PostgreSQL's, the runner, the reports) took 0.8 s to import, and
`validate` in an editor, a shell completion or a refusal of bad input needs little of it.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import cast

from rich.console import Console
from rich.markup import escape

from drillbook.drills.cli import arguments
from drillbook.errors import DrillbookError, ExitCode

Command = Callable[[argparse.Namespace, Console], ExitCode]

COMMANDS: dict[str, str] = {
    "list": "catalog:cmd_list",
    "validate": "catalog:cmd_validate",
    "completion": "catalog:cmd_completion",
    "schema": "catalog:cmd_schema",
    "plan": "plan:cmd_plan",
    "init": "init:cmd_init",
    "run": "running:cmd_run",
    "rehearse": "running:cmd_rehearse",
    "gameday": "gameday:cmd_gameday",
    "report": "report:cmd_report",
    "history": "history:cmd_history",
    "images": "engine:cmd_images",
    "cleanup": "engine:cmd_cleanup",
    "runbook": "runbook:cmd_runbook",
    "coverage": "coverage:cmd_coverage",
    "readiness": "readiness:cmd_readiness",
}
"""Each subcommand's function, as `module:function` in `drillbook.drills.cli`."""


def command(name: str) -> Command:
    module, _, function = COMMANDS[name].partition(":")
    return cast(Command, getattr(importlib.import_module(f"drillbook.drills.cli.{module}"), function))


def main(argv: Sequence[str] | None = None) -> int:
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        args = arguments.build_parser().parse_args(argv)
        return int(command(args.command)(args, console))
    except DrillbookError as exc:
        errors.print(f"[bold red]drillbook:[/] {escape(str(exc))}", markup=True, soft_wrap=True)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        errors.print("drillbook: interrupted")
        return int(ExitCode.INTERRUPTED)
    except SystemExit as exc:  # --help: argparse printed it and wants to stop
        return int(exc.code or 0) if isinstance(exc.code, int | None) else int(ExitCode.BAD_INPUT)
