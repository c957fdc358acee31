"""The GitOps rollback on the fake replica: find the bad deploy in git, revert it, reconcile, verify."""

from __future__ import annotations

from typing import Any

from drillbook.recovery import git_rollback
from tests.fakes import FakeReplica, did, run_steps


def deploy(fake: FakeReplica, image: str) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["services"]["app"]["image"] = image

    fake.commit(change, f"deploy {image}")
    fake.reconcile()


def test_the_bad_deploy_is_reverted_and_reconciled(fake: FakeReplica) -> None:
    deploy(fake, "drillbook/returns-service:1.1.0")
    figures: dict[str, float] = {}
    ran = run_steps(git_rollback.PROCEDURE, fake, figure=lambda name, value: figures.setdefault(name, value))
    assert [r.ok for r in ran] == [True, True, True, True], ran
    assert ran[0].detail.startswith("bad deploy ") and "deploy drillbook/returns-service:1.1.0" in ran[0].detail
    assert fake.applied["app"].image == "drillbook/returns-service:1.0.0"
    assert did(fake, "revert") and "revert_commit_to_healthy_s" in figures
    assert fake.desired.log()[0].message.startswith('Revert "deploy drillbook/returns-service:1.1.0"')


def test_with_no_deploy_in_the_history_nothing_is_reverted(fake: FakeReplica) -> None:
    ran = run_steps(git_rollback.PROCEDURE, fake)
    assert len(ran) == 1 and not ran[0].ok and "changes what this rollback restores" in ran[0].detail
    assert not did(fake, "revert")
