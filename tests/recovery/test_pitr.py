"""Point-in-time recovery's checks and its choice of target, on the fake replica."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from drillbook.errors import PluginError
from drillbook.recovery import pitr
from tests.fakes import FakeReplica, run_steps


def test_a_drill_without_a_wal_archive_is_refused(fake: FakeReplica) -> None:
    with pytest.raises(PluginError, match=r"Add `backups: \{wal_archive: true\}`"):
        pitr.check(fake.target, pitr.Options())


@pytest.mark.parametrize(
    ("target_time", "refusal"),
    [
        ("yesterday", "ISO 8601 instant"),
        ("2026-11-27T10:15:00", "with its zone"),
        ("2020-01-01T00:00:00+00:00", "before the base backup"),
    ],
)
def test_target_times_it_cannot_reach_are_refused(
    fake_of: Callable[[str], FakeReplica], target_time: str, refusal: str
) -> None:
    with pytest.raises(PluginError, match=refusal):
        pitr.check(fake_of("data-corruption").target, pitr.Options(target_time=target_time))


def test_the_target_is_the_faults_wal_position(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("data-corruption")
    base_at = time.time() - 30
    fake.on_exec(r"base/taken_at", lambda _s, _c: (0, f"{base_at}\n"))
    fake.on_exec(r"tar|basebackup|restore", lambda _s, _c: (1, "stop here"))
    ran = run_steps(pitr.PROCEDURE, fake, fault_lsn="0/3000060", injected_wall=time.time())
    find = next(r for r in ran if r.step.startswith("find"))
    assert find.ok and find.detail.startswith("recover to recovery_target_lsn = '0/3000060'; base backup taken ")


def test_without_a_base_backup_there_is_nothing_to_start_from(fake_of: Callable[[str], FakeReplica]) -> None:
    ran = run_steps(pitr.PROCEDURE, fake_of("data-corruption"))
    failed = next(r for r in ran if not r.ok)
    assert "no base backup in /backups/base" in failed.detail
