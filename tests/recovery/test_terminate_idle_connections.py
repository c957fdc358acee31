"""Connection exhaustion's recovery without a database to ask, on the fake replica."""

from __future__ import annotations

from drillbook.recovery import terminate_idle_connections
from tests.fakes import FakeReplica, run_steps


def test_a_database_that_does_not_answer_fails_the_count_and_stops(fake: FakeReplica) -> None:
    ran = run_steps(terminate_idle_connections.PROCEDURE, fake)
    assert [r.step for r in ran] == ["count connections"] and not ran[0].ok
    assert ran[0].detail.startswith("OperationalError: ")
    assert not [m for m, _p, _b in fake.app.seen if m == "POST"]  # the pool is not reset blind
