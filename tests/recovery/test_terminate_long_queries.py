"""Ending long-running statements: what it does without a database to ask, on the fake replica."""

from __future__ import annotations

from drillbook.drills.run.phases.recover import attempt
from drillbook.recovery import terminate_long_queries
from tests.fakes import FakeReplica, run_steps


def test_a_database_that_does_not_answer_fails_the_first_step_by_name(fake: FakeReplica) -> None:
    ran = run_steps(terminate_long_queries.PROCEDURE, fake)
    assert len(ran) == 1 and not ran[0].ok
    assert ran[0].detail.startswith("OperationalError: connection failed") and "127.0.0.1" in ran[0].detail


def test_nothing_is_terminated_without_a_session_found(fake: FakeReplica) -> None:
    ctx = terminate_long_queries.PROCEDURE.context(fake, {}, log=lambda _line: None)
    step = terminate_long_queries.PROCEDURE.steps[1]
    assert attempt(step, ctx) == (False, "nothing to terminate: the previous step found no session")
