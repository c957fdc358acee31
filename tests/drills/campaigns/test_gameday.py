"""Game-day files, regressions against history, the evidence commit and the pages (no Docker)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import shutil
import xml.etree.ElementTree as ET
from typing import Any

import git
import pytest

from drillbook.drills import spec
from drillbook.drills.campaigns import evidence, gameday, gameday_file
from drillbook.drills.campaigns.gameday_file import ToleranceModel
from drillbook.errors import EvidenceError, PluginError, SpecError
from drillbook.reports import gameday as gameday_report
from tests.conftest import CATALOG, WINDOW_S
from tests.reports.sample_result import document


def _write(tmp_path: pathlib.Path, text: str) -> pathlib.Path:
    path = tmp_path / "gameday.yaml"
    path.write_text(text)
    return path


def test_nightly_runs_every_built_in_drill(tmp_path: pathlib.Path) -> None:
    loaded = gameday_file.load(CATALOG / "nightly.yaml", tmp_path)
    files = [p for p in CATALOG.glob("*.yaml") if not gameday_file.is_gameday(p)]
    assert all(spec.load(p).name == p.stem for p in files)
    drills = sorted(v.name for p in files for v in spec.load(p).compared())  # a comparison: one per procedure
    assert sorted(d.name for d in loaded.drills) == drills


def test_overrides_are_merged_and_the_file_that_will_run_is_kept(tmp_path: pathlib.Path) -> None:
    path = _write(
        tmp_path,
        "name: gd\ndrills:\n  - drill: db-outage\n    name: db-strict\n    overrides: {objectives: {rto_s: 0.5}}\n",
    )
    loaded = gameday_file.load(path, tmp_path / "drills")
    assert loaded.drills[0].name == "db-strict"
    assert loaded.drills[0].model.objectives.rto_s == 0.5
    assert loaded.drills[0].model.objectives.tier == "customer-facing"  # merged, not replaced
    assert (tmp_path / "drills" / "db-strict.yaml").exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name: gd\ndrills: []\n", "drills"),
        ("name: gd\ndrills:\n  - drill: no-such-drill\n", "no-such-drill"),
        ("name: gd\ndrills:\n  - drill: db-outage\n  - drill: db-outage\n", "more than once"),
        ("name: gd\ndrills:\n  - drill: db-outage\n    overrides: {scenario: {name: nope}}\n", "nope"),
        ("name: gd\ndrills:\n  - drill: db-outage\n    overrides: {load: {users: 0}}\n", "drill 1 (db-outage)"),
        ("name: gd\nfrills: 1\n", "frills"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_game_days_are_refused_before_anything_runs(tmp_path: pathlib.Path, text: str, says: str) -> None:
    # A malformed file is a SpecError; an unknown scenario in it a PluginError; both exit 2.
    with pytest.raises((SpecError, PluginError)) as caught:
        gameday_file.load(_write(tmp_path, text), tmp_path / "drills")
    assert says in str(caught.value)
    assert caught.value.exit_code == 2


def _run(downtime: float | None, rpo: float = 0.0, verdict: str = "passed", commit: str = "a" * 40) -> dict[str, Any]:
    m = document()["measurements"] | {"downtime_s": downtime, "rpo_s": rpo}
    return document(measurements=m, verdict=verdict, environment={"drillbook_commit": commit})


def test_a_regression_is_worse_than_the_median_of_previous_runs_beyond_both_tolerances() -> None:
    previous = [_run(1.0), _run(1.2), _run(9.0)]  # median 1.2: one slow outlier does not hide a regression
    between = lambda _before, _now: "drillbook: 2 commit(s)"  # noqa: E731
    found = gameday.regressions(_run(3.0), previous, ToleranceModel(), between)
    assert [(r.figure, r.before_s, r.now_s, r.runs) for r in found] == [("downtime", 1.2, 3.0, 3)]
    assert "drillbook: 2 commit(s)" in found[0].describe()
    assert gameday.regressions(_run(2.1), previous, ToleranceModel(), between) == []  # within 1 s
    assert gameday.regressions(_run(3.0), [], ToleranceModel(), between) == []  # nothing to compare
    assert gameday.regressions(_run(3.0, verdict="error"), previous, ToleranceModel(), between) == []
    rpo = gameday.regressions(_run(1.0, rpo=30.0), previous, ToleranceModel(), between)
    assert [r.figure for r in rpo] == ["RPO"]


def test_commits_between_two_runs_are_named_from_this_checkout() -> None:
    from drillbook.drills.campaigns import commits

    repo = git.Repo(pathlib.Path(__file__), search_parent_directories=True)
    head = repo.head.commit
    if not head.parents:
        pytest.skip("a checkout with one commit has nothing between")
    text = commits.between(_run(1.0, commit=head.parents[0].hexsha), _run(1.0, commit=head.hexsha))
    assert f"{head.hexsha[:10]} {head.summary!s}" in text
    assert "no new commit" in commits.between(_run(1.0, commit=head.hexsha), _run(1.0, commit=head.hexsha))


def _gdoc() -> dict[str, Any]:
    loaded = gameday_file.load(CATALOG / "nightly.yaml", pathlib.Path("/tmp/unused-gameday-drills"))
    rows = [
        gameday.summary_row("db-outage", "db-outage", _run(1.3), []),
        gameday.summary_row("bad-deploy", "bad-deploy", _run(2.0, verdict="failed"), []),
    ]
    return gameday.document(loaded, dt.datetime(2026, 11, 26, 21, 0, tzinfo=dt.UTC), 60.0, rows, ["memory-leak"])


def test_the_index_draws_each_downtime_against_its_objective_so_that_differences_show() -> None:
    g = _gdoc()
    page = gameday_report.index(g)
    assert "<th>RTO objective</th><th>RTO headroom</th>" in page and "headroom 100%" in page
    widths = [
        float(w)
        for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', gameday_report.downtime_bars(g["drills"]))
    ]
    assert len(widths) == 2 and widths[1] - widths[0] >= 5  # 1.3 s and 2.0 s of 900 s: not one sliver


def test_a_missed_objective_runs_past_the_line_in_red() -> None:
    rows = [{"name": "slow", "downtime_s": 1000.0, "rto_target_s": 900.0}]
    svg = gameday_report.downtime_bars(rows)
    assert 'fill="#c62828"' in svg and "headroom -11%" in svg


def test_the_game_day_record_pages_and_message() -> None:
    g = _gdoc()
    assert g["verdict"] == "failed" and g["counts"] == {"passed": 1, "failed": 1, "error": 0, "interrupted": 0}
    page = gameday_report.index(g)
    assert '<a href="db-outage/report.html">db-outage</a>' in page and "memory-leak" in page
    assert "| [bad-deploy](bad-deploy/summary.md) | **failed** |" in gameday_report.summary(g)
    assert "| 1.30 s | 15 min | 100% | 0.00 s | 5 min | 100% |" in gameday_report.summary(g)
    message = gameday.evidence_message(g)
    assert message.startswith("game day nightly 2026-11-26T21:00:00+00:00: failed (1 passed, 1 failed)")
    assert "- memory-leak: not run" in message


def test_evidence_on_a_branch_leaves_the_checkout_alone(tmp_path: pathlib.Path) -> None:
    repo = git.Repo.init(tmp_path / "team", initial_branch="main")
    (tmp_path / "team" / "README").write_text("team repo\n")
    repo.index.add(["README"])
    repo.index.commit("initial")
    (tmp_path / "team" / "work-in-progress").write_text("untouched\n")
    sha = evidence.commit(str(tmp_path / "team"), "drillbook-evidence", {"gd/1/summary.md": "# one\n"}, "first\n")
    second = evidence.commit(str(tmp_path / "team"), "drillbook-evidence", {"gd/2/summary.md": "# two\n"}, "second\n")
    branch = repo.heads["drillbook-evidence"].commit
    assert branch.hexsha == second and branch.parents[0].hexsha == sha
    files = repo.git.ls_tree("-r", "--name-only", branch.hexsha).splitlines()
    assert files == ["gd/1/summary.md", "gd/2/summary.md"]
    assert repo.active_branch.name == "main" and not repo.is_dirty()
    assert (tmp_path / "team" / "work-in-progress").read_text() == "untouched\n"
    assert not (tmp_path / "team" / "gd").exists()


def test_evidence_in_a_new_folder_and_a_remote(tmp_path: pathlib.Path) -> None:
    sha = evidence.commit(str(tmp_path / "results"), "evidence", {"a.json": json.dumps({"x": 1})}, "game day\n")
    assert git.Repo(tmp_path / "results").head.commit.hexsha == sha
    git.Repo.init(tmp_path / "remote.git", bare=True)
    url = f"file://{tmp_path / 'remote.git'}"
    evidence.commit(url, "evidence", {"a.md": "1\n"}, "one\n")
    pushed = evidence.commit(url, "evidence", {"b.md": "2\n"}, "two\n")
    remote = git.Repo(tmp_path / "remote.git")
    assert remote.heads["evidence"].commit.hexsha == pushed
    assert [c.message for c in remote.iter_commits("evidence")] == ["two\n", "one\n"]


def test_evidence_refuses_a_folder_that_is_not_a_repository(tmp_path: pathlib.Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    with pytest.raises(EvidenceError, match="not a git repository"):
        evidence.commit(str(tmp_path), "evidence", {"a": "b"}, "m")


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_two_drill_game_day_for_real(tmp_path: pathlib.Path) -> None:
    from drillbook.drills.campaigns.history import History
    from drillbook.drills.cli import main
    from drillbook.drills.observe.monitoring import promtool
    from drillbook.errors import ExitCode
    from tests.reports.test_junit import SCHEMA

    gameday_file = tmp_path / "pair.yaml"
    windows = f"phases: {{steady_state_s: {WINDOW_S}, verify_window_s: {WINDOW_S}}}"
    gameday_file.write_text(
        "name: ci-pair\n"
        "tolerance: {relative: 0.2, absolute_s: 0.05}\n"
        "drills:\n"
        "  - drill: db-outage\n"
        f"    overrides: {{{windows}}}\n"
        "  - drill: bad-deploy\n"
        "    name: bad-deploy-strict\n"
        f"    overrides: {{objectives: {{rto_s: 0.01}}, {windows}}}   # no rollback is that fast: this one must fail\n"
    )
    # An earlier night, on the commit before this one, when the outage cost a millisecond.
    repo = git.Repo(pathlib.Path(__file__), search_parent_directories=True)
    earlier = repo.head.commit.parents[0].hexsha if repo.head.commit.parents else repo.head.commit.hexsha
    history_file = tmp_path / "history.db"
    store = History(history_file)
    m = document()["measurements"] | {"downtime_s": 0.001, "rpo_s": 0.0}
    store.add(
        document(
            drill="db-outage",
            drill_id="db-outage-earlier",
            verdict="passed",
            started_at="2026-11-25T03:17:00+00:00",
            measurements=m,
            environment={"drillbook_commit": earlier},
        ),
        None,
    )
    store.close()
    before = tmp_path / "before.db"
    shutil.copy(history_file, before)
    evidence_repo = tmp_path / "evidence"

    # The night in two shards, each run as its own command with a history of its own (two CI
    # runners), then merged with the history as it was before the night. The whole night is the
    # same `_run` with the game day left uncut: run again, its drills would prove nothing more.
    plan_file = tmp_path / "plan.json"
    assert (
        main(["gameday", str(gameday_file), "--plan", "2", "--out", str(plan_file), "--history", str(history_file)])
        == 0
    )
    folders = [tmp_path / f"shard{k}" for k in (1, 2)]
    for k, folder in enumerate(folders, start=1):
        history_k = str(tmp_path / f"runner{k}.db")
        argv = ["gameday", str(gameday_file), "--shard", str(k), "--plan", str(plan_file), "--out", str(folder)]
        main([*argv, "--history", history_k, *(["--pdf"] if k == 1 else [])])
    # The index printed for auditors.
    assert (folders[0] / "index.pdf").read_bytes().startswith(b"%PDF")
    out = tmp_path / "merged"
    code = main(
        [
            "gameday",
            "merge",
            *map(str, folders),
            "--out",
            str(out),
            "--history",
            str(before),
            "--evidence",
            str(evidence_repo),
        ]
    )

    assert code == ExitCode.OBJECTIVE_MISSED
    record = json.loads((out / "gameday.json").read_text())
    verdicts = {r["name"]: r["verdict"] for r in record["drills"]}
    assert verdicts == {"db-outage": "passed", "bad-deploy-strict": "failed"}
    assert [r["name"] for r in record["drills"]] == ["db-outage", "bad-deploy-strict"], "the game day's order"

    # One JUnit file with both drills, valid for CI servers; the strict one fails on its RTO.
    junit_text = (out / "junit.xml").read_text()
    SCHEMA.validate(junit_text)
    root = ET.fromstring(junit_text)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"drillbook.db-outage", "drillbook.bad-deploy-strict"}
    assert suites["drillbook.db-outage"].get("failures") == "0"
    rto = next(c for c in suites["drillbook.bad-deploy-strict"].iter("testcase") if c.get("name") == "RTO")
    assert rto.find("failure") is not None

    # The night's results as gauges for dashboards: both drills, accepted by promtool.
    prom = (out / "metrics.prom").read_text()
    assert promtool.check_metrics(prom) == ""
    assert 'drillbook_passed{drill="bad-deploy-strict"' in prom and 'drillbook_passed{drill="db-outage"' in prom

    # The index links each drill's own report, and those reports exist.
    index = (out / "index.html").read_text()
    for name in verdicts:
        assert f'href="{name}/report.html"' in index and (out / name / "report.html").exists()

    # The db-outage downtime is flagged against the earlier night, naming the commits between.
    flagged = next(r for r in record["drills"] if r["name"] == "db-outage")["regressions"]
    assert len(flagged) == 1 and flagged[0].startswith("downtime") and "drillbook:" in flagged[0]
    if earlier != repo.head.commit.hexsha:
        assert repo.head.commit.hexsha[:10] in flagged[0]
    merged_store = History(before)
    try:
        assert sorted(d["drill"] for d in merged_store.documents()) == ["bad-deploy-strict", "db-outage", "db-outage"]
    finally:
        merged_store.close()

    # The evidence: one commit, the JSON and Markdown of the game day and of each drill, verdicts in the message.
    evidence = git.Repo(evidence_repo)
    commit = evidence.head.commit
    assert len(list(evidence.iter_commits())) == 1
    summary_line = str(commit.message).splitlines()[0]
    assert summary_line.startswith("game day ci-pair ") and summary_line.endswith(": failed (1 passed, 1 failed)")
    assert "- bad-deploy-strict: failed" in str(commit.message) and "regression: downtime" in str(commit.message)
    files = set(evidence.git.ls_tree("-r", "--name-only", "HEAD").splitlines())
    folder = next(iter(files)).split("/")[:2]
    expected = {"gameday.json", "summary.md"} | {
        f"{name}/{f}" for name in verdicts for f in ("result.json", "summary.md", "drill.yaml")
    }
    assert files == {"/".join([*folder, f]) for f in expected}
