"""rotate_credentials on the fake: what it refuses before it touches the database."""

from __future__ import annotations

from drillbook.recovery.rotate_credentials import PROCEDURE
from tests.fakes import FakeReplica, run_steps


def test_a_desired_state_with_its_login_in_git_is_refused(fake: FakeReplica) -> None:
    # The fake's desired state was made without a secrets file: its login is a literal in git.
    ran = run_steps(PROCEDURE, fake)
    assert (ran[-1].step, ran[-1].ok) == ("rotate the password", False)
    assert "its login is in git, not a reference to rotate" in ran[-1].detail


def test_a_variable_that_is_not_a_login_url_is_refused(fake: FakeReplica) -> None:
    ran = run_steps(PROCEDURE, fake, {"variable": "PAYMENT_URL"})
    assert (ran[-1].step, ran[-1].ok) == ("rotate the password", False)
    assert "PAYMENT_URL is not a URL with a login" in ran[-1].detail
