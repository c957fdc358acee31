"""Finding the change a rollback undoes, in a real desired-state repository."""

from __future__ import annotations

from typing import Any

import pytest

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery import gitops
from drillbook.recovery.base import StepContext
from tests.fakes import FakeReplica


def set_env(fake: FakeReplica, key: str, value: str) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["services"]["app"].setdefault("env", {})[key] = value

    fake.commit(change, f"{key}={value}")


def test_the_newest_change_of_the_aspect_wins_over_unrelated_commits(fake: FakeReplica) -> None:
    set_env(fake, "LOG_LEVEL", "debug")
    set_env(fake, "POOL", "ten")
    set_env(fake, "LOG_LEVEL", "info")
    newer, older = gitops.last_change(fake.desired, lambda doc: doc["services"]["app"].get("env", {}).get("POOL"))
    assert newer.message == "POOL=ten" and older.message == "LOG_LEVEL=debug"


def test_revert_without_a_found_commit_fails_the_step(fake: FakeReplica) -> None:
    ctx = StepContext(fake, object(), gitops.Rollback(), lambda _line: None)
    with pytest.raises(RecoveryStepFailed, match="found no commit"):
        gitops.revert_found(ctx)
    with pytest.raises(RecoveryStepFailed, match="no revert was committed"):
        gitops.since_revert(ctx)
