"""Mending a partition on the fake replica: every service off the network goes back on it."""

from __future__ import annotations

from drillbook.recovery import reconnect_network
from tests.fakes import FakeReplica, did, run_steps


def test_the_cut_service_is_found_and_reconnected(fake: FakeReplica) -> None:
    fake.disconnect("db")
    ran = run_steps(reconnect_network.PROCEDURE, fake)
    assert all(r.ok for r in ran), ran
    assert ran[0].detail == "not on drillbook-fake: db" and fake.connected("db") and did(fake, "connect db")


def test_no_partition_is_a_failed_step_not_a_reconnect(fake: FakeReplica) -> None:
    ran = run_steps(reconnect_network.PROCEDURE, fake)
    assert not ran[0].ok and "no partition to mend" in ran[0].detail and not did(fake, "connect")
