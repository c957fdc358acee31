"""Restoring the newest dump: its checks and its first steps, on the fake replica."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drillbook.drills.run.phases.recover import attempt
from drillbook.errors import PluginError
from drillbook.recovery import restore_dump
from tests.fakes import FakeReplica, did, run_steps


def test_a_drill_without_dumps_is_refused(fake: FakeReplica) -> None:
    with pytest.raises(PluginError, match=r"Add `backups: \{dump: \{interval_s: 20\}\}`"):
        restore_dump.check(fake.target, restore_dump.Options())


def test_at_least_one_restore_job(fake_of: Callable[[str], FakeReplica]) -> None:
    with pytest.raises(PluginError, match="at least 1 job, not 0"):
        restore_dump.check(fake_of("data-loss").target, restore_dump.Options(jobs=0))


def test_a_lost_database_is_recreated_and_not_backed_up_empty(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("data-loss")
    fake.remove_service("db")
    procedure = restore_dump.PROCEDURE
    ctx = procedure.context(fake, {}, log=lambda _line: None)
    make_sure, _read_only, back_up = procedure.steps[:3]
    ok, detail = attempt(make_sure, ctx)
    assert ok and "created again" in detail and did(fake, "recreate db") and ctx.work.recreated
    assert attempt(back_up, ctx) == (
        True,
        "skipped: the database was created again, empty; there is nothing of it to keep",
    )
    assert not [a for a in fake.actions if "pg_dump" in a]


def test_the_database_down_stops_before_any_restore(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("data-loss")
    ran = run_steps(restore_dump.PROCEDURE, fake)
    assert [r.ok for r in ran] == [True, False] and ran[1].step == "read-only mode on"
    assert not [a for a in fake.actions if "pg_restore" in a]
