"""The restart procedure's steps against a real replica, outside the runner."""

from __future__ import annotations

import httpx
import pytest

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery import REGISTRY
from drillbook.replicas.replica import Replica


def run_steps(replica: Replica) -> list[str]:
    procedure = REGISTRY.get("restart_database")
    ctx = procedure.context(replica, {}, log=lambda _line: None)
    return [step.run(ctx) or "" for step in procedure.steps]


@pytest.mark.docker
@pytest.mark.parametrize("fault", ["kill", "stop", "pause"])
def test_restart_brings_the_service_back(replica: Replica, fault: str) -> None:
    getattr(replica, fault)("db")
    details = run_steps(replica)
    assert "PostgreSQL answers" in details[1]
    assert "HTTP 200" in details[2]
    assert httpx.get(replica.url() + "/api/health").status_code == 200


@pytest.mark.docker
def test_verify_fails_when_the_database_stays_down(replica: Replica) -> None:
    procedure = REGISTRY.get("restart_database")
    ctx = procedure.context(replica, {"verify_timeout_s": 1.0}, log=lambda _line: None)
    replica.stop("db", timeout_s=5)
    verify = procedure.steps[-1]
    with pytest.raises(RecoveryStepFailed, match="still failing"):
        verify.run(ctx)
