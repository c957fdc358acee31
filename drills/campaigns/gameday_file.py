"""A game-day file: read, and checked as a whole with every drill in it, before anything runs.

Apart from running the day (`gameday.py`) so that `validate` and `list` check a game day
without importing the harness that runs it.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drillbook import inputs
from drillbook.drills import resolve
from drillbook.drills import spec as spec_module
from drillbook.errors import DrillbookError, PluginError, SpecError
from drillbook.reports import history_page

CATALOG = pathlib.Path(__file__).resolve().parents[1] / "catalog"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class EntryModel(_Model):
    drill: str
    """A drill file, relative to the game-day file, or the name of a built-in drill."""
    name: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=60)
    """Rename it, so one drill can run twice with different overrides."""
    overrides: dict[str, Any] = {}
    """Top-level sections of the drill file: a mapping is merged into the section, anything else replaces it."""


class ToleranceModel(_Model):
    relative: float = Field(default=history_page.RELATIVE_TOLERANCE, ge=0)
    absolute_s: float = Field(default=history_page.ABSOLUTE_TOLERANCE_S, ge=0)
    previous_runs: int = Field(default=5, ge=1, le=100)


class GameDayModel(_Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=60)
    description: str = ""
    drills: list[EntryModel] = Field(min_length=1)
    tolerance: ToleranceModel = ToleranceModel()


@dataclass(frozen=True)
class GameDay:
    model: GameDayModel
    path: pathlib.Path
    drills: tuple[spec_module.DrillSpec, ...]

    @property
    def name(self) -> str:
        return self.model.name


def is_gameday(path: pathlib.Path) -> bool:
    """A game-day file has a `drills` list where a drill file has a `scenario`."""
    try:
        data, _lines = inputs.load_yaml(inputs.read_text(path, "drill"), path, "drill")
    except DrillbookError:
        return False
    return isinstance(data, dict) and "drills" in data and "scenario" not in data


def read(path: pathlib.Path) -> GameDayModel:
    """The game-day file itself, validated; its drills are not loaded."""
    data, lines = inputs.load_yaml(inputs.read_text(path, "game-day"), path, "game-day")
    try:
        return GameDayModel.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = inputs.line_of(lines, loc)
            problems.append(f"  {path}:{line or '?'}: {'.'.join(str(p) for p in loc) or '(document)'}: {err['msg']}")
        raise SpecError(
            f"The game-day file {path} is not valid:\n" + "\n".join(problems) + "\nA game day has a `name` and a "
            "`drills` list of {drill: FILE, overrides: {...}} (drills/catalog/nightly.yaml is one)."
        ) from None


def _drill_file(entry: EntryModel, base: pathlib.Path) -> pathlib.Path:
    for candidate in (base / entry.drill, CATALOG / entry.drill, CATALOG / f"{entry.drill}.yaml"):
        if candidate.is_file():
            return candidate
    raise SpecError(
        f"game day drill {entry.drill!r}: no such file next to the game-day file ({base}) and no built-in "
        f"drill of that name ({', '.join(sorted(p.stem for p in CATALOG.glob('*.yaml') if not is_gameday(p)))})."
    )


def load(path: pathlib.Path, workdir: pathlib.Path) -> GameDay:
    """Read and check the game day and every drill in it; nothing is started.

    Each drill with its overrides is written out under `workdir` as the file that
    will run, so the evidence shows exactly what ran.
    """
    model = read(path)
    specs = []
    for i, entry in enumerate(model.drills):
        source = _drill_file(entry, path.parent)
        name = entry.name or spec_module.load(source).name
        try:
            variant = spec_module.write_variant(source, workdir, name, **entry.overrides)
            drill = spec_module.load(variant)
            for each in drill.compared():  # a comparison: each procedure a drill of the day
                resolve.plugins(each)
                specs.append(each)
        except (SpecError, PluginError) as exc:  # the same error, told which drill of the day it is in
            raise type(exc)(f"game day {model.name}, drill {i + 1} ({entry.drill}): {exc}") from None
    names = [s.name for s in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SpecError(
            f"game day {model.name}: drill name(s) {', '.join(twice)} appear more than once; give each "
            "repeat its own `name:` so their results do not overwrite each other."
        )
    return GameDay(model, path, tuple(specs))
