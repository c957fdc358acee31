"""Where the command line finds a drill file: a path, or the name of a built-in drill."""

from __future__ import annotations

import pathlib

CATALOG = pathlib.Path(__file__).resolve().parents[1] / "catalog"


def resolve_drill_file(path: pathlib.Path) -> pathlib.Path:
    """A path as given, or the name of a built-in drill (`db-outage`) when no such file exists."""
    if path.exists() or path.suffix or "/" in str(path):
        return path
    builtin = CATALOG / f"{path}.yaml"
    return builtin if builtin.is_file() else path
