"""Freeing the database's volume on the fake replica: only files outside PostgreSQL's own go."""

from __future__ import annotations

from collections.abc import Callable

from drillbook.recovery import free_disk_space
from tests.fakes import FakeReplica, did, run_steps

LISTING = """5000000 base/16384/2619
73400320 nightly-dump.sql
2097152 pg_wal/000000010000000000000001
1048576 it's here.log
"""


def test_the_largest_foreign_files_are_deleted_then_postgres_restarted(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("disk-full")
    fake.on_exec(r"df -Pk", lambda _s, _c: (0, "x 131072 131072 0 100% /var/lib/postgresql/data\n"))
    fake.on_exec(r"find \. -xdev", lambda _s, _c: (0, LISTING))
    ran = run_steps(free_disk_space.PROCEDURE, fake)
    assert [r.step for r in ran][:3] == ["find what fills the disk", "delete them", "restart database container"]
    assert all(r.ok for r in ran), ran
    assert "nightly-dump.sql (70 MiB)" in ran[0].detail and "base/" not in ran[0].detail
    removed = [a for a in fake.actions if "rm -f --" in a]
    assert len(removed) == 1 and "'nightly-dump.sql' 'it'\\''s here.log'" in removed[0] and "pg_wal" not in removed[0]
    assert did(fake, "restart db")


def test_a_volume_holding_only_postgres_files_is_left_alone(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("disk-full")
    fake.on_exec(r"find \. -xdev", lambda _s, _c: (0, "5000000 base/16384/2619\n"))
    ran = run_steps(free_disk_space.PROCEDURE, fake)
    assert len(ran) == 1 and not ran[0].ok and "outside PostgreSQL's own" in ran[0].detail
    assert not [a for a in fake.actions if "rm -f" in a]
