"""A game day split over CI runners: a plan of N shards, one shard run per runner, a merge.

The plan balances the shards by each drill's last recorded duration (the
history's), longest first onto the least loaded shard; without a history every
drill counts the same. A shard's run is an ordinary game day of its drills,
its `gameday.json` saying which shard of which plan it was. The merge takes the
shards' folders and refuses one in which a drill of the plan ran twice or not
at all, or whose shards came from different plans.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pathlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drillbook import inputs
from drillbook.contract import RESULT_FILE
from drillbook.drills.campaigns import gameday, gameday_file
from drillbook.drills.campaigns.history import History
from drillbook.errors import SpecError

UNKNOWN_S = 60.0
"""A drill the history has never seen: counted as a minute."""


class PlanModel(BaseModel):
    """PLAN.json: written by `gameday FILE --plan N`, read by `--shard K` and by the merge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gameday: str
    drills: list[str] = Field(min_length=1)
    """Every drill of the game day, in its order."""
    shards: list[list[str]] = Field(min_length=1)
    estimated_s: list[float]
    basis: str
    """`history` (recorded durations) or `counts` (none recorded)."""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]


def plan(gameday: str, drills: Sequence[str], shards: int, durations: Mapping[str, float]) -> PlanModel:
    """Longest first, each onto the shard with the least estimated time so far."""
    if not 1 <= shards <= len(drills):
        raise SpecError(
            f"--plan {shards}: the game day {gameday} has {len(drills)} drill(s); plan 1 to {len(drills)} shards."
        )
    known = bool(durations) and any(d in durations for d in drills)
    cost = {d: durations.get(d, UNKNOWN_S) if known else 1.0 for d in drills}
    buckets: list[list[str]] = [[] for _ in range(shards)]
    loads = [0.0] * shards
    for drill in sorted(drills, key=lambda d: (-cost[d], drills.index(d))):
        lightest = loads.index(min(loads))
        buckets[lightest].append(drill)
        loads[lightest] += cost[drill]
    ordered = [sorted(b, key=drills.index) for b in buckets]
    return PlanModel(
        gameday=gameday,
        drills=list(drills),
        shards=ordered,
        estimated_s=[round(load, 1) if known else 0.0 for load in loads],
        basis="history" if known else "counts",
    )


def read_plan(path: pathlib.Path) -> PlanModel:
    text = inputs.read_text(path, "game-day plan")
    try:
        return PlanModel.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0][:200]
        raise SpecError(
            f"The game-day plan {path} is not one `drillbook gameday FILE --plan N --out {path.name}` wrote "
            f"({first}). Write the plan again."
        ) from None


def shard_of(chosen: PlanModel, gameday: str, drills: Sequence[str], k: int, path: pathlib.Path) -> list[str]:
    """The drills of shard `k` (1-based), once the plan is known to be this game day's."""
    if chosen.gameday != gameday or sorted(chosen.drills) != sorted(drills):
        raise SpecError(
            f"The plan {path} is for the game day {chosen.gameday!r} with drills {', '.join(chosen.drills)}; "
            f"this one is {gameday!r} with {', '.join(drills)}. Plan this game day again (--plan N)."
        )
    if not 1 <= k <= len(chosen.shards):
        raise SpecError(f"--shard {k}: the plan {path} has shards 1 to {len(chosen.shards)}.")
    return chosen.shards[k - 1]


class ShardRecord(BaseModel):
    """What a shard's gameday.json says of the shard: enough for the merge, with its folders only."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(ge=1)
    of: int = Field(ge=1)
    plan: PlanModel
    model: dict[str, Any]
    file: str
    scenarios: dict[str, str] = {}


class ShardRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    folder: str
    verdict: str


@dataclass(frozen=True)
class Shard:
    folder: pathlib.Path
    document: dict[str, Any]
    """The shard's gameday.json."""
    record: ShardRecord


def read_shard(folder: pathlib.Path) -> Shard:
    path = folder / "gameday.json"
    refusal = SpecError(
        f"{folder} is not the folder of a game-day shard: its gameday.json is missing, unreadable or names no "
        "shard. Give the --out folders of `drillbook gameday FILE --shard K --plan PLAN.json`."
    )
    if not path.is_file():
        raise refusal
    try:
        document = json.loads(inputs.read_text(path, "game-day record"))
        if not isinstance(document, dict):
            raise refusal
        record = ShardRecord.model_validate(document.get("shard"))
        for row in document.get("drills", []):
            ShardRow.model_validate(row)
        if not isinstance(document.get("started_at"), str) or not isinstance(document.get("not_run", []), list):
            raise refusal
        dt.datetime.fromisoformat(document["started_at"])
        float(document.get("duration_s", 0.0))
    except (ValueError, TypeError, ValidationError):
        raise refusal from None
    return Shard(folder, document, record)


def check_merge(shards: Sequence[Shard]) -> PlanModel:
    """The plan every shard ran, once each of its drills ran exactly once."""
    plans = {s.record.plan.model_dump_json() for s in shards}
    if len(plans) != 1:
        raise SpecError(
            "These shards come from different plans (or different game days); merge the shards of one "
            "`--plan` only: " + ", ".join(str(s.folder) for s in shards)
        )
    chosen = shards[0].record.plan
    ran: dict[str, list[str]] = {}
    for s in shards:
        for row in s.document.get("drills", []):
            ran.setdefault(str(row["name"]), []).append(str(s.folder))
        for name in s.document.get("not_run", []):
            ran.setdefault(str(name), [])
    twice = {d: folders for d, folders in ran.items() if len(folders) > 1}
    missing = [d for d in chosen.drills if not ran.get(d)]
    if twice or missing:
        said = [f"{d} ran in {', '.join(f)}" for d, f in sorted(twice.items())]
        said += [f"{d} did not run" for d in missing]
        raise SpecError(
            f"The shards do not add up to the game day {chosen.gameday}: {'; '.join(said)}. Merge each shard's "
            "folder once, and every shard of the plan."
        )
    return chosen


def merge(shards: Sequence[Shard], out: pathlib.Path, history: History) -> dict[str, Any]:
    """One game day from its shards: each drill's folder copied to `out`, every result added to
    `history` with its regressions against that history, and the game day's files written."""
    chosen = check_merge(shards)
    first = shards[0].record
    try:
        model = gameday_file.GameDayModel.model_validate(first.model)
    except ValidationError:
        raise SpecError(f"The shard {shards[0].folder} names a game day drillbook cannot read; run it again.") from None
    rows, results, not_run = [], [], []
    by_name = {str(r["name"]): (s, r) for s in shards for r in s.document.get("drills", [])}
    for name in chosen.drills:
        if name not in by_name:
            not_run.append(name)
            continue
        shard, row = by_name[name]
        source = shard.folder / row["folder"]
        try:
            doc = json.loads((source / RESULT_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise SpecError(f"The shard {shard.folder} has no readable result for {name} ({exc}).") from None
        shutil.copytree(source, out / name, dirs_exist_ok=True, symlinks=True)
        ran = shard.folder / "drills" / f"{name}.yaml"  # the file that ran, for the evidence
        if ran.is_file():
            (out / "drills").mkdir(parents=True, exist_ok=True)
            shutil.copy(ran, out / "drills" / ran.name)
        rows.append(gameday.record(name, doc, out / name / RESULT_FILE, history, model.tolerance))
        results.append(doc)
    started = min(s.document["started_at"] for s in shards)
    duration_s = max(float(s.document.get("duration_s", 0.0)) for s in shards)
    gdoc = gameday.document(
        gameday_file.GameDay(model, pathlib.Path(first.file), ()),
        dt.datetime.fromisoformat(started),
        duration_s,
        rows,
        not_run,
    )
    gdoc["merged_from"] = [str(s.folder) for s in shards]
    scenarios = {k: v for s in shards for k, v in s.record.scenarios.items()}
    gameday.write(gdoc, results, out, history, scenarios)
    return gdoc
