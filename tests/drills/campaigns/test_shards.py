"""Game days split into shards and merged again, without an engine."""

from __future__ import annotations

import json
import pathlib
import shutil
from typing import Any

import pytest

from drillbook.drills.campaigns import shards
from drillbook.drills.campaigns.history import History
from drillbook.drills.cli import main
from drillbook.errors import ExitCode, SpecError
from tests.reports.sample_result import document


def test_the_plan_puts_the_longest_drills_first_onto_the_lightest_shard() -> None:
    durations = {"a": 100.0, "b": 60.0, "c": 50.0, "d": 40.0, "e": 10.0}
    chosen = shards.plan("night", list("abcde"), 2, durations)
    assert chosen.shards == [["a", "d"], ["b", "c", "e"]] and chosen.estimated_s == [140.0, 120.0]
    assert chosen.basis == "history"


def test_without_a_history_the_plan_balances_counts_in_the_game_days_order() -> None:
    chosen = shards.plan("night", list("abcde"), 2, {})
    assert chosen.shards == [["a", "c", "e"], ["b", "d"]] and chosen.basis == "counts"


def test_a_drill_the_history_has_not_seen_counts_as_a_minute() -> None:
    assert shards.plan("night", ["old", "new"], 2, {"old": 5.0}).estimated_s == [60.0, 5.0]


@pytest.mark.parametrize("count", [0, 3])
def test_more_shards_than_drills_or_none_is_refused(count: int) -> None:
    with pytest.raises(SpecError, match=r"plan 1 to 2 shards"):
        shards.plan("night", ["a", "b"], count, {})


def test_a_plan_of_another_game_day_or_shard_is_refused(tmp_path: pathlib.Path) -> None:
    chosen = shards.plan("night", ["a", "b"], 2, {})
    with pytest.raises(SpecError, match=r"is for the game day 'night'.*Plan this game day again"):
        shards.shard_of(chosen, "night", ["a", "c"], 1, tmp_path / "p.json")
    with pytest.raises(SpecError, match=r"--shard 3: the plan .* has shards 1 to 2"):
        shards.shard_of(chosen, "night", ["b", "a"], 3, tmp_path / "p.json")
    bad = tmp_path / "p.json"
    bad.write_text('{"gameday": "night"}')
    with pytest.raises(SpecError, match=r"is not one `drillbook gameday FILE --plan N"):
        shards.read_plan(bad)


def _shard(tmp_path: pathlib.Path, k: int, chosen: shards.PlanModel, names: list[str]) -> pathlib.Path:
    """A shard's folder as `gameday --shard K` leaves it: gameday.json and each drill's result."""
    folder = tmp_path / f"shard{k}"
    rows = []
    for name in names:
        (folder / name).mkdir(parents=True)
        doc = document(drill=name, drill_id=f"{name}-{k}", verdict="passed")
        (folder / name / "result.json").write_text(json.dumps(doc))
        rows.append({"name": name, "folder": name, "verdict": "passed", "downtime_s": 1.0, "rpo_s": 0.0})
    record: dict[str, Any] = {
        "gameday": chosen.gameday,
        "started_at": f"2026-12-02T0{k}:00:00+00:00",
        "duration_s": 30.0 * k,
        "drills": rows,
        "not_run": [],
        "shard": {
            "k": k,
            "of": len(chosen.shards),
            "plan": chosen.model_dump(),
            "model": {"name": chosen.gameday, "drills": [{"drill": d} for d in chosen.drills]},
            "file": "night.yaml",
            "scenarios": {d: "db_outage" for d in chosen.drills},
        },
    }
    (folder / "gameday.json").write_text(json.dumps(record))
    return folder


def test_two_shards_merge_into_one_game_day_in_its_order(tmp_path: pathlib.Path) -> None:
    chosen = shards.plan("night", ["a", "b", "c"], 2, {})
    one, two = _shard(tmp_path, 1, chosen, chosen.shards[0]), _shard(tmp_path, 2, chosen, chosen.shards[1])
    history = History(tmp_path / "h.db")
    try:
        gdoc = shards.merge([shards.read_shard(two), shards.read_shard(one)], tmp_path / "merged", history)
        assert [r["name"] for r in gdoc["drills"]] == ["a", "b", "c"]
        assert gdoc["counts"]["passed"] == 3 and gdoc["started_at"] == "2026-12-02T01:00:00+00:00"
        assert sorted(d["drill"] for d in history.documents()) == ["a", "b", "c"]
    finally:
        history.close()
    merged = tmp_path / "merged"
    assert all((merged / name / "result.json").exists() for name in "abc")
    assert {"gameday.json", "index.html", "summary.md", "junit.xml", "metrics.prom"} <= {
        p.name for p in merged.iterdir()
    }


def test_a_merge_with_a_drill_twice_or_missing_is_refused(tmp_path: pathlib.Path) -> None:
    chosen = shards.plan("night", ["a", "b", "c"], 2, {})
    one = _shard(tmp_path, 1, chosen, chosen.shards[0])
    with pytest.raises(SpecError, match=r"b did not run"):
        shards.check_merge([shards.read_shard(one)])
    with pytest.raises(SpecError, match=r"a ran in .*shard1, .*shard1"):
        shards.check_merge([shards.read_shard(one), shards.read_shard(one)])
    other = shards.plan("night", ["a", "b", "c"], 3, {})
    three = _shard(tmp_path, 3, other, other.shards[0])
    with pytest.raises(SpecError, match=r"come from different plans"):
        shards.check_merge([shards.read_shard(one), shards.read_shard(three)])


def test_the_command_line_plans_and_refuses_what_is_not_a_shard(tmp_path: pathlib.Path) -> None:
    day = tmp_path / "day.yaml"
    day.write_text("name: day\ndrills:\n  - drill: db-outage\n  - drill: bad-deploy\n")
    plan_file = tmp_path / "plan.json"
    assert main(["gameday", str(day), "--plan", "2", "--out", str(plan_file), "--history", str(tmp_path / "h")]) == 0
    assert shards.read_plan(plan_file).shards == [["db-outage"], ["bad-deploy"]]
    (tmp_path / "notashard").mkdir()
    assert main(["gameday", "merge", str(tmp_path / "notashard"), "--out", str(tmp_path / "m")]) == ExitCode.BAD_INPUT
    assert not (tmp_path / "m").exists()
    assert main(["gameday", str(day), "--plan", "two", "--out", str(plan_file)]) == ExitCode.BAD_INPUT
    assert main(["gameday", str(day), "--shard", "1"]) == ExitCode.BAD_INPUT
    shutil.rmtree(tmp_path / "notashard")
