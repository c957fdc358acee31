"""Removing the fault on the path to the database, on the fake replica and its proxy's control port."""

from __future__ import annotations

from collections.abc import Callable

from drillbook.recovery import clear_network_fault
from tests.fakes import FakeReplica, run_steps


def test_the_slow_hop_is_named_and_the_proxy_set_to_pass(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("slow-database")
    control = fake.add_app("db-proxy")
    control.answer("GET", "/faults", 200, {"mode": "latency", "latency_ms": 800})
    control.answer("POST", "/faults", 200, lambda sent: sent)
    ran = run_steps(clear_network_fault.PROCEDURE, fake)
    assert all(r.ok for r in ran), ran
    assert "SELECT 1 at db itself: no answer (OperationalError)" in ran[0].detail
    assert ran[0].detail.endswith("the path to it is +800 ms on every answer")
    assert ran[1].detail == "the path to db is passing traffic untouched again"


def test_without_a_proxy_there_is_nothing_on_the_path_to_remove(fake: FakeReplica) -> None:
    ran = run_steps(clear_network_fault.PROCEDURE, fake)
    assert len(ran) == 1 and ran[0].detail == "no fault proxy in front of db: nothing on the path to remove"
