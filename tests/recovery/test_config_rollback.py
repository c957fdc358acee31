"""The configuration rollback on the fake replica: revert the flag's commit, then memory must stay flat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillbook.recovery import config_rollback
from tests.fakes import FakeReplica, run_steps

MIB = 2**20


def leaky(fake: FakeReplica) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["services"]["app"].setdefault("flags", {})["leaky_cache"] = True

    fake.commit(change, "enable leaky_cache on app")
    fake.reconcile()


def test_a_flat_memory_after_the_revert_passes(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("memory-leak")
    leaky(fake)
    fake.memory_readings["app"] = [(100 * MIB, 256 * MIB)] * 3
    ran = run_steps(config_rollback.PROCEDURE, fake, {"flat_window_s": 0.6})
    assert all(r.ok for r in ran), ran
    assert not fake.applied["app"].flags.get("leaky_cache")
    assert ran[-1].detail.startswith("100.0 -> 100.0 MiB over 0.6 s")


def test_memory_still_growing_fails_the_last_step(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("memory-leak")
    leaky(fake)
    fake.memory_readings["app"] = [(100 * MIB, 256 * MIB), (150 * MIB, 256 * MIB), (200 * MIB, 256 * MIB)]
    ran = run_steps(config_rollback.PROCEDURE, fake, {"flat_window_s": 0.6})
    assert [r.ok for r in ran][-1] is False and ran[-1].detail.startswith("memory is not flat: 100.0 -> ")
