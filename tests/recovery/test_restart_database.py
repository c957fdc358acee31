"""The restart procedure's steps against a real replica, outside the runner."""

from __future__ import annotations

import httpx
import pytest

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery import REGISTRY, restart_database
from drillbook.replicas.replica import Replica
from tests.fakes import FakeReplica, did, run_steps


def real_steps(replica: Replica) -> list[str]:
    procedure = REGISTRY.get("restart_database")
    ctx = procedure.context(replica, {}, log=lambda _line: None)
    return [step.run(ctx) or "" for step in procedure.steps]


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.parametrize("fault", ["kill", "stop", "pause"])
def test_restart_brings_the_service_back(replica: Replica, fault: str) -> None:
    getattr(replica, fault)("db")
    details = real_steps(replica)
    assert "PostgreSQL answers" in details[1]
    assert "HTTP 200" in details[2]
    assert httpx.get(replica.url() + "/api/health").status_code == 200


@pytest.mark.beside
@pytest.mark.docker
def test_verify_fails_when_the_database_stays_down(replica: Replica) -> None:
    procedure = REGISTRY.get("restart_database")
    ctx = procedure.context(replica, {"verify_timeout_s": 1.0}, log=lambda _line: None)
    replica.stop("db", timeout_s=5)
    verify = procedure.steps[-1]
    with pytest.raises(RecoveryStepFailed, match="still failing"):
        verify.run(ctx)


# --- the procedure's logic, on the fake replica ----------------------------------------------------


@pytest.mark.parametrize(
    ("state", "first"),
    [("exited", "db was exited: started on its volume"), ("paused", "db was frozen: thawed and restarted")],
)
def test_every_step_runs_in_order_on_the_fake(fake: FakeReplica, state: str, first: str) -> None:
    fake.states["db"] = state
    ran = run_steps(restart_database.PROCEDURE, fake)
    assert [(r.step, r.ok) for r in ran] == [
        ("restart database container", True),
        ("wait for PostgreSQL", True),
        ("reset application connections", True),
        ("verify", True),
    ]
    assert ran[0].detail == first and ("POST", "/api/admin/db/reset-pool", b"") in fake.app.seen


def test_a_database_that_never_answers_stops_before_the_pool_reset(fake: FakeReplica) -> None:
    fake.never_ready.add(fake.applied["db"].image)
    ran = run_steps(restart_database.PROCEDURE, fake)
    assert [r.ok for r in ran] == [True, False] and "did not answer" in ran[1].detail
    assert not [m for m, _p, _b in fake.app.seen if m == "POST"] and did(fake, "restart db")
