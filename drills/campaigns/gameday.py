"""A game day: a suite of drills run one after another, each on a fresh replica.

The game-day file is a YAML list of drill files with overrides, validated as a
whole before the first drill starts: a typo in the fifth drill must not be
found an hour into the night. Images are built once, up front. The game day's
own record (`gameday.json`) is what its index page, JUnit file, summary and
evidence commit are made from.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drillbook import inputs
from drillbook.contract import ResultDocument
from drillbook.drills import spec as spec_module
from drillbook.drills.campaigns import commits, readiness
from drillbook.drills.campaigns.history import History
from drillbook.drills.run.runner import DrillRunner, resolve_plugins
from drillbook.drills.run.timeline import Event
from drillbook.errors import DrillbookError, PluginError, SpecError
from drillbook.reports import gameday as gameday_report
from drillbook.reports import history_page, junit, metrics
from drillbook.reports import readiness as readiness_page

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
                resolve_plugins(each)
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


@dataclass(frozen=True)
class Regression:
    figure: str
    before_s: float
    now_s: float
    runs: int
    commits: str

    def describe(self) -> str:
        return (
            f"{self.figure} {self.now_s:.2f} s against {self.before_s:.2f} s (median of the previous "
            f"{self.runs} runs); {self.commits}"
        )


def regressions(
    doc: dict[str, Any],
    previous: list[dict[str, Any]],
    tolerance: ToleranceModel,
    commits_between: Callable[[dict[str, Any], dict[str, Any]], str],
) -> list[Regression]:
    """Downtime or RPO worse than the median of the previous runs by more than both tolerances."""
    found = []
    earlier = [p for p in previous if p.get("verdict") in ("passed", "failed")][: tolerance.previous_runs]
    if not earlier or doc.get("verdict") not in ("passed", "failed"):
        return []
    m = doc.get("measurements", {})
    for figure, key in (("downtime", "downtime_s"), ("RPO", "rpo_s")):
        now = m.get(key)
        values = sorted(v for p in earlier if (v := p.get("measurements", {}).get(key)) is not None)
        if now is None or not values:
            continue
        before = values[len(values) // 2]
        if history_page.worse(now, before, tolerance.relative, tolerance.absolute_s):
            found.append(Regression(figure, before, now, len(values), commits_between(earlier[0], doc)))
    return found


def document(
    gameday: GameDay,
    started: dt.datetime,
    duration_s: float,
    runs: list[dict[str, Any]],
    not_run: list[str],
) -> dict[str, Any]:
    """The game day's own record; `runs` holds, per drill, its folder, result and regressions."""
    verdicts = [r["verdict"] for r in runs]
    return {
        "gameday": gameday.name,
        "description": gameday.model.description,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 3),
        "verdict": (
            "interrupted"
            if "interrupted" in verdicts
            else "error"
            if "error" in verdicts
            else "failed"
            if "failed" in verdicts
            else "passed"
        ),
        "counts": {v: verdicts.count(v) for v in ("passed", "failed", "error", "interrupted")},
        "drills": runs,
        "not_run": not_run,
    }


def summary_row(name: str, folder: str, doc: dict[str, Any], found: list[Regression]) -> dict[str, Any]:
    objectives = {o["name"]: o for o in doc.get("objectives", [])}
    m = doc.get("measurements", {})
    return {
        "name": name,
        "folder": folder,
        "verdict": doc["verdict"],
        "scenario": doc.get("scenario"),
        "recovery": doc.get("recovery"),
        "tier": doc.get("tier"),
        "downtime_s": m.get("downtime_s"),
        "rto_target_s": (objectives.get("RTO") or {}).get("target_s"),
        "rpo_s": m.get("rpo_s"),
        "rpo_target_s": (objectives.get("RPO") or {}).get("target_s"),
        "lost_writes": m.get("lost_writes"),
        "severity": doc.get("severity"),
        "error": doc.get("error"),
        "regressions": [r.describe() for r in found],
    }


@dataclass(frozen=True)
class Outcome:
    document: dict[str, Any]
    """The game day's record (gameday.json)."""
    results: tuple[dict[str, Any], ...]
    """Each drill's result document, in the order run."""
    evidence: str | None = None
    """The evidence commit, when one was made."""


def evidence_message(gdoc: dict[str, Any]) -> str:
    counts = ", ".join(f"{n} {v}" for v, n in gdoc["counts"].items() if n)
    lines = [f"game day {gdoc['gameday']} {gdoc['started_at']}: {gdoc['verdict']} ({counts})", ""]
    for r in gdoc["drills"]:
        downtime = "—" if r["downtime_s"] is None else f"{r['downtime_s']:.2f} s"
        rpo = "—" if r["rpo_s"] is None else f"{r['rpo_s']:.2f} s"
        lines.append(
            f"- {r['name']}: {r['verdict']}; downtime {downtime} (RTO {r['rto_target_s']} s), "
            f"RPO {rpo} (objective {r['rpo_target_s']} s), lost writes {r['lost_writes']}"
        )
        lines += [f"  regression: {text}" for text in r["regressions"]]
    lines += [f"- {name}: not run" for name in gdoc["not_run"]]
    return "\n".join(lines) + "\n"


def run(
    gameday: GameDay,
    out: pathlib.Path,
    history: History,
    *,
    progress: Callable[[Event], object],
    before_drill: Callable[[int, spec_module.DrillSpec], object] = lambda _i, _s: None,
    after_drill: Callable[[DrillRunner], object] = lambda _r: None,
    allow_remote: bool = False,
    runner_factory: Callable[..., DrillRunner] = DrillRunner,
    shard: dict[str, Any] | None = None,
) -> Outcome:
    """Every drill in order, each on a fresh replica; stops at an interrupt.

    Writes gameday.json, index.html, summary.md, junit.xml and metrics.prom into `out` and
    records every drill in the history, compared first with its previous runs.
    """
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    not_run: list[str] = []
    for i, drill in enumerate(gameday.drills):
        before_drill(i, drill)
        runner = runner_factory(drill, out / drill.name, progress, allow_remote=allow_remote)
        result = runner.run()
        doc = runner.document
        rows.append(record(drill.name, doc, runner.result_path, history, gameday.model.tolerance))
        results.append(doc)
        after_drill(runner)
        if result.verdict == "interrupted":
            not_run = [d.name for d in gameday.drills[i + 1 :]]
            break
    gdoc = document(gameday, started, time.perf_counter() - t0, rows, not_run)
    if shard is not None:
        gdoc["shard"] = shard
    write(gdoc, results, out, history, {d.name: d.model.scenario.name for d in gameday.drills})
    return Outcome(gdoc, tuple(results))


def record(
    name: str, doc: dict[str, Any], result_path: pathlib.Path | None, history: History, tolerance: ToleranceModel
) -> dict[str, Any]:
    """A drill's row of the game day, compared with its previous runs first, then kept in the history."""
    found = regressions(doc, list(reversed(history.documents(name))), tolerance, commits.between)
    history.add(doc, result_path)
    return summary_row(name, name, doc, found)


def write(
    gdoc: dict[str, Any],
    results: Sequence[dict[str, Any]],
    out: pathlib.Path,
    history: History,
    scenarios: Mapping[str, str],
) -> None:
    """gameday.json, index.html (readiness at its end), summary.md, junit.xml and metrics.prom."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "gameday.json").write_text(json.dumps(gdoc, indent=1))
    front = readiness.document(history.documents(), history.runs(limit=100_000), scenarios, dt.datetime.now(dt.UTC))
    (out / "index.html").write_text(gameday_report.index(gdoc, readiness_page.section(front)))
    (out / "summary.md").write_text(gameday_report.summary(gdoc))
    (out / "junit.xml").write_text(junit.render_many(results))
    (out / "metrics.prom").write_text(metrics.render(ResultDocument.model_validate(r) for r in results))


def evidence_files(gdoc: dict[str, Any], out: pathlib.Path) -> dict[str, str]:
    """What goes into the evidence commit: the JSON and Markdown of the game day and each drill."""
    stamp = gdoc["started_at"].replace(":", "").replace("+0000", "Z")
    root = f"{gdoc['gameday']}/{stamp}"
    files = {
        f"{root}/gameday.json": (out / "gameday.json").read_text(),
        f"{root}/summary.md": (out / "summary.md").read_text(),
    }
    for row in gdoc["drills"]:
        folder = out / row["folder"]
        for name in ("result.json", "summary.md"):
            if (folder / name).exists():
                files[f"{root}/{row['name']}/{name}"] = (folder / name).read_text()
        ran = out / "drills" / f"{row['name']}.yaml"
        if ran.exists():
            files[f"{root}/{row['name']}/drill.yaml"] = ran.read_text()
    return files
