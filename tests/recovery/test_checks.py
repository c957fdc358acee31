"""The steps every procedure shares: the runbook's verification and its pool reset, over real HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from drillbook.drills.run.phases.recover import attempt
from drillbook.recovery.base import StepContext
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY
from tests.fakes import FakeReplica


@dataclass(frozen=True)
class Waits:
    verify_timeout_s: float = 0.5


def ctx(fake: FakeReplica) -> StepContext[Waits, None]:
    return StepContext(fake, Waits(), None, lambda _line: None)


def test_verify_passes_when_health_and_every_key_flow_answer(fake: FakeReplica) -> None:
    assert attempt(VERIFY, ctx(fake)) == (True, "health and 3 key flows answer")
    assert {path for _m, path, _b in fake.app.seen} >= {"/api/health", "/api/user/orders", "/api/drivers/active"}


def test_verify_names_every_flow_still_failing(fake: FakeReplica) -> None:
    fake.app.answer("GET", "/api/drivers/active", 503)
    ok, detail = attempt(VERIFY, ctx(fake))
    assert not ok and detail == "still failing after 0.5 s: GET /api/drivers/active: HTTP 503"


@pytest.mark.parametrize(("status", "expected"), [(200, (True, "POST /api/admin/db/reset-pool: HTTP 200"))])
def test_the_pool_reset_is_the_targets_own_endpoint(fake: FakeReplica, status: int, expected: tuple[bool, str]) -> None:
    fake.app.answer("POST", "/api/admin/db/reset-pool", status)
    assert attempt(RESET_CONNECTIONS, ctx(fake)) == expected


def test_a_pool_reset_the_service_refuses_fails_the_step(fake: FakeReplica) -> None:
    fake.app.answer("POST", "/api/admin/db/reset-pool", 500)
    assert attempt(RESET_CONNECTIONS, ctx(fake)) == (False, "POST /api/admin/db/reset-pool answered HTTP 500")


def test_a_service_that_does_not_answer_fails_verify_by_name(fake: FakeReplica) -> None:
    fake.app.stop()
    ok, detail = attempt(VERIFY, ctx(fake))
    assert not ok and "GET /api/health: ConnectError" in detail
