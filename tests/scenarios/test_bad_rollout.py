"""bad_rollout on a local three-node swarm: the broken release over both replicas, the swarm's
rollback, git put right; and refused on the single engine."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.replicas.cluster.state import ClusterState
from drillbook.scenarios import bad_rollout
from tests.conftest import CATALOG, catalog_drill, why


def test_it_is_the_bad_deploy_made_for_the_swarm() -> None:
    assert bad_rollout.SCENARIO.engines == ("swarm",)
    assert bad_rollout.SCENARIO.images(spec.load(CATALOG / "bad-rollout.yaml").target, release="1.1.0") == (
        "drillbook/returns-service:1.1.0",
    )


@pytest.mark.docker
@pytest.mark.swarm
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_bad_rollout_over_both_replicas_is_rolled_back_by_the_swarm_and_in_git(
    tmp_path: pathlib.Path, lent_swarm: ClusterState
) -> None:
    result = DrillRunner(
        spec.load(catalog_drill("bad-rollout", tmp_path)), tmp_path / "out", lent_cluster=lent_swarm
    ).run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    reconciles = [e["detail"] for e in doc["timeline"] if e["kind"] == "reconcile"]
    assert any("drillbook/returns-service:1.1.0" in r and "rolling update completed" in r for r in reconciles)
    assert "high_error_rate" in {a["rule"] for a in doc["alerts"]}  # every replica took the broken release
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert all(s["ok"] for s in steps.values()), steps
    assert "rollback_completed" in steps["roll the service back"]["detail"]
    assert steps["git and the swarm agree"]["detail"].startswith("reconciled to the revert: nothing to change")
    git = [e["detail"] for e in doc["timeline"] if e["kind"] == "git"]
    assert any("revert of" in g and "deploy app 1.1.0" in g for g in git)
    assert doc["measurements"]["lost_writes"] == 0
