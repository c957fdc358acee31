"""What the database procedures share, on the fake replica: the backup tool and a database brought back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery import database
from drillbook.recovery.base import StepContext
from tests.fakes import FakeReplica, did


def ctx(fake: FakeReplica) -> StepContext[object, object]:
    return StepContext(fake, object(), object(), lambda _line: None)


def test_the_backup_tool_runs_in_the_backup_service(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("data-loss")
    fake.on_exec(r"pg_dump", lambda service, _c: (0, f"ran in {service}\n"))
    assert database.backup_tool(ctx(fake), "pg_dump -Fc -f /backups/x.dump") == "ran in db-backup"
    assert "set -o pipefail; pg_dump -Fc -f /backups/x.dump" in did(fake, "exec db-backup bash -c")[0]


def test_a_failing_backup_tool_fails_the_step_with_its_output(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("data-loss")
    fake.on_exec(r"pg_restore", lambda _s, _c: (1, "pg_restore: error: could not open input file"))
    with pytest.raises(RecoveryStepFailed, match=r"failed \(exit 1\): pg_restore: error: could not open"):
        database.backup_tool(ctx(fake), "pg_restore -d x /backups/none.dump")


def test_a_drill_without_backups_has_no_backup_tool(fake: FakeReplica) -> None:
    with pytest.raises(RecoveryStepFailed, match="this drill takes no backups"):
        database.backup_tool(ctx(fake), "true")


@pytest.mark.parametrize(("state", "then"), [("exited", "start db"), ("paused", "unpause db")])
def test_a_stopped_or_frozen_database_is_brought_back(fake: FakeReplica, state: str, then: str) -> None:
    fake.states["db"] = state
    assert database.ensure_running(ctx(fake), "db", 5).startswith(f"db was {state}; answers after")
    assert did(fake, then) and fake.states["db"] == "running"


def test_a_lost_database_is_created_again_on_a_new_volume(fake: FakeReplica) -> None:
    fake.remove_service("db")
    assert "created again on a new, empty volume" in database.ensure_running(ctx(fake), "db", 5)
    assert did(fake, "recreate db")
