"""drillbook from Python: run a drill, get its typed result.

`from drillbook import run_drill` (a lazy re-export: importing `drillbook`
imports nothing of the harness). The same drill files and the same result as
`drillbook run`, so a team's own tests can assert on what users saw.
"""

from __future__ import annotations

import copy
import pathlib
from collections.abc import Mapping
from typing import Any

from drillbook import inputs
from drillbook.contract import ResultDocument
from drillbook.drills import spec as spec_module
from drillbook.drills.cli.files import resolve_drill_file
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import SpecError


def run_drill(
    drill: str | pathlib.Path,
    *,
    out: str | pathlib.Path,
    overrides: Mapping[str, Any] | None = None,
    allow_remote: bool = False,
) -> ResultDocument:
    """Run the drill (a file, or a built-in drill's name) into `out`; its result, typed.

    `overrides` are merged into the drill file's sections first (`{"objectives": {"rto_s": 30}}`);
    relative paths in it still resolve from the file's folder, and the result's `spec` is the
    merged drill. Bad input raises the same `DrillbookError` the command line prints; a drill
    that ran returns its result whatever its verdict.
    """
    out = pathlib.Path(out)
    inputs.writable_folder(out, "output folder (out)")
    path = resolve_drill_file(pathlib.Path(drill))
    data, lines = spec_module.read(path)
    if overrides:
        if not isinstance(data, dict):
            raise SpecError(f"The drill file {path} must be a YAML mapping; overrides need sections to merge into.")
        data = _merge(copy.deepcopy(data), overrides)
    spec = spec_module.from_document(data, lines, path)
    runner = DrillRunner(spec, out, allow_remote=allow_remote)
    runner.run()
    return ResultDocument.model_validate(runner.document)


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` merged into `base`, section by section (a mapping into a mapping, anything else replaces)."""
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


__all__ = ["ResultDocument", "run_drill"]
