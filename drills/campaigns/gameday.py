"""A game day: a suite of drills run one after another, each on a fresh replica.

The game-day file is a YAML list of drill files with overrides, validated as a
whole before the first drill starts (`gameday_file.py`): a typo in the fifth drill
must not be found an hour into the night. Images are built once, up front. The game day's
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

from drillbook.contract import ResultDocument
from drillbook.drills import spec as spec_module
from drillbook.drills.campaigns import commits, readiness
from drillbook.drills.campaigns.gameday_file import GameDay, ToleranceModel
from drillbook.drills.campaigns.history import History
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.timeline import Event
from drillbook.reports import gameday as gameday_report
from drillbook.reports import history_page, junit, metrics
from drillbook.reports import readiness as readiness_page


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
