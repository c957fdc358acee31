"""Where the command line finds its files: a drill (a path, or a built-in drill's name) and the history."""

from __future__ import annotations

import argparse
import os
import pathlib

from drillbook.drills.campaigns.history import DEFAULT_PATH as DEFAULT_HISTORY
from drillbook.errors import ExitCode

CATALOG = pathlib.Path(__file__).resolve().parents[1] / "catalog"


def resolve_drill_file(path: pathlib.Path) -> pathlib.Path:
    """A path as given, or the name of a built-in drill (`db-outage`) when no such file exists."""
    if path.exists() or path.suffix or "/" in str(path):
        return path
    builtin = CATALOG / f"{path}.yaml"
    return builtin if builtin.is_file() else path


def history_path(args: argparse.Namespace) -> pathlib.Path:
    """--history, else $DRILLBOOK_HISTORY, else .drillbook/history.db in the working folder."""
    if args.history is not None:
        return pathlib.Path(args.history)
    return pathlib.Path(os.environ.get("DRILLBOOK_HISTORY") or DEFAULT_HISTORY)


VERDICT_EXIT = {  # a drill's verdict as the process exit code
    "passed": ExitCode.OK,
    "failed": ExitCode.OBJECTIVE_MISSED,
    "error": ExitCode.BAD_INPUT,
    "interrupted": ExitCode.INTERRUPTED,
}
