"""The failover's checks and its repoint, on the fake replica."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drillbook.errors import PluginError
from drillbook.recovery import failover
from drillbook.recovery.base import StepContext
from tests.fakes import FakeReplica, did, run_steps


def test_a_drill_without_a_standby_is_refused_before_anything(fake: FakeReplica) -> None:
    with pytest.raises(PluginError, match=r"Add `backups: \{standby: \{mode: sync\}\}`"):
        failover.check(fake.target, failover.Options())


def test_a_standby_that_does_not_answer_is_never_promoted(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("primary-failure")
    ran = run_steps(failover.PROCEDURE, fake)
    assert [r.step for r in ran] == ["check the standby"] and ran[0].detail.startswith("OperationalError: ")
    assert not did(fake, "serve_database") and fake.database_service == "db"


def test_repoint_moves_the_database_name_to_the_standby(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("primary-failure")
    standby = fake.target.backups.standby
    assert standby is not None
    detail = failover.repoint(StepContext(fake, failover.Options(), None, lambda _line: None))
    assert fake.database_service == standby and detail.startswith("'db' on the replica's network is now")
    assert fake.db_conninfo().count(str(fake.ports[standby])) == 1
