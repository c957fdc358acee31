"""service_rollback's steps on the fake cluster: the swarm's rollback, then git put right and agreeing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from drillbook.recovery.service_rollback import PROCEDURE
from tests.fakes import FakeCluster, did, run_steps


@pytest.fixture
def cluster(fake_cluster_of: Callable[..., FakeCluster]) -> FakeCluster:
    made = fake_cluster_of("bad-rollout")
    made.reconcile()
    made.app.answer("GET", "/api/health", 200, {"status": "ok"})
    return made


def deploy(cluster: FakeCluster, image: str) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["services"]["app"]["image"] = image

    cluster.commit(change, "deploy app 1.1.0")
    cluster.reconcile()


def test_a_swarm_still_running_the_deploy_after_its_rollback_is_caught(cluster: FakeCluster) -> None:
    deploy(cluster, "drillbook/returns-service:1.1.0")
    figures: dict[str, float] = {}
    ran = run_steps(PROCEDURE, cluster, figure=figures.__setitem__)
    assert [(r.step, r.ok) for r in ran] == [
        ("roll the service back", True),
        ("find the deploy in git", True),
        ("git revert the deploy", True),
        ("git and the swarm agree", False),  # this fake's rollback left the deploy running
    ]
    assert did(cluster, "rollback") == ["rollback app"]
    assert ran[1].detail.startswith("git still says the deploy ") and "(deploy app 1.1.0)" in ran[1].detail
    assert cluster.desired_states()["app"].image == "drillbook/returns-service:1.0.0"
    assert "git and the swarm disagreed: the reconcile updated app" in ran[3].detail
    assert "service_rollback_s" in figures


def test_the_swarm_rolls_back_and_git_is_reverted_to_agree_with_it(cluster: FakeCluster) -> None:
    before = cluster.applied["app"]
    deploy(cluster, "drillbook/returns-service:1.1.0")
    cluster.rollback = lambda service, timeout_s=120.0: _rolled_back(cluster, service, before)  # type: ignore[method-assign]
    ran = run_steps(PROCEDURE, cluster)
    assert [(r.step, r.ok) for r in ran][-2:] == [("git and the swarm agree", True), ("verify", True)]
    assert ran[3].detail == "reconciled to the revert: nothing to change, git and the swarm agree"


def _rolled_back(cluster: FakeCluster, service: str, previous: Any) -> str:
    cluster.applied[service] = previous  # the swarm put its previous spec back
    return "rollback_completed in 0.10 s: rollback completed"
