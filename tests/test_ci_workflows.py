"""The game-day CI definitions are valid for their CI systems and run the game day."""

from __future__ import annotations

import pathlib
import subprocess
import sys
from typing import Any

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github" / "workflows" / "gameday.yml"
GITLAB = ROOT / "docs" / "gitlab-ci.yml"


def validate(path: pathlib.Path, schema: str) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with the schema it ships (no network)."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("path", "schema"), [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")])
def test_valid_against_the_ci_systems_schema(path: pathlib.Path, schema: str) -> None:
    checked = validate(path, schema)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: pathlib.Path) -> None:
    broken: dict[Any, Any] = yaml.safe_load(GITHUB.read_text())
    broken["jobs"]["merge"]["runs-on"] = None
    broken["jobs"]["merge"]["timeout-minutes"] = "an hour"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken))
    assert validate(path, "vendor.github-workflows").returncode != 0


def test_github_workflow_runs_nightly_fanned_out_and_publishes_everything() -> None:
    workflow: dict[Any, Any] = yaml.safe_load(GITHUB.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    jobs = workflow["jobs"]
    assert jobs["shard"]["needs"] == "plan" and jobs["merge"]["needs"] == "shard"
    assert jobs["shard"]["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"

    def scripts(job: str) -> str:
        return "\n".join(s.get("run", "") for s in jobs[job]["steps"])

    assert 'drillbook gameday "$GAMEDAY" --plan "$SHARDS" --out plan.json' in scripts("plan")
    assert "make setup" in scripts("shard") and "--shard ${{ matrix.shard }} --plan plan.json" in scripts("shard")
    assert "drillbook gameday merge shards/gameday-shard-* --out out/gameday" in scripts("merge")
    assert "--evidence" in scripts("merge") and 'summary.md >> "$GITHUB_STEP_SUMMARY"' in scripts("merge")
    assert "drills/catalog/nightly.yaml" in workflow["env"]["GAMEDAY"]
    uses = [s.get("uses", "") for s in jobs["merge"]["steps"]]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    junit = next(s for s in jobs["merge"]["steps"] if s.get("uses", "").startswith("mikepenz/action-junit-report@"))
    assert junit["with"]["report_paths"] == "out/gameday/junit.xml"
    assert (ROOT / "drills" / "catalog" / "nightly.yaml").exists()


def test_gitlab_example_runs_the_same_game_day_fanned_out() -> None:
    pipeline = yaml.safe_load(GITLAB.read_text())
    assert pipeline["stages"] == ["plan", "shards", "merge"]
    assert any("--plan" in line for line in pipeline["plan"]["script"])
    shard = pipeline["shard"]
    assert shard["parallel"] >= 2 and any('--shard "$CI_NODE_INDEX"' in line for line in shard["script"])
    merge = pipeline["merge"]
    assert any("drillbook gameday merge" in line for line in merge["script"])
    assert merge["artifacts"]["reports"]["junit"] == "out/gameday/junit.xml"
