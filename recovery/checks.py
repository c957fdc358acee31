"""Steps procedures share: the runbook's "verify restart" curl and its connection pool reset, as code."""

from __future__ import annotations

from typing import Protocol

from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.recovery.base import AnyStep, Step, StepContext
from drillbook.replicas import loopback
from drillbook.replicas.health import verify_flows


class Verifies(Protocol):
    """Options of a procedure that ends with the runbook's verification."""

    @property
    def verify_timeout_s(self) -> float: ...


def verify(ctx: StepContext[Verifies, object]) -> str:
    """The runbook's last step of every procedure."""
    return verify_flows(ctx.replica, ctx.options.verify_timeout_s)


VERIFY: Step[Verifies, object] = Step(
    "verify", "health endpoint and key flows answer 2xx", verify, hint="curl -f {health_url}"
)


def reset_connections(ctx: StepContext[object, object]) -> str:
    flow = ctx.replica.target.reset_connections
    if flow is None:
        return "skipped: the target declares no connection-reset endpoint"
    import httpx  # here: every procedure imports this module, and `validate` sends no request

    try:
        response = loopback.request(flow.method, ctx.replica.url() + flow.path, timeout=5.0)
    except httpx.HTTPError as exc:
        raise StepFailed(f"{flow.method} {flow.path} failed: {type(exc).__name__}") from exc
    if not response.is_success:
        raise StepFailed(f"{flow.method} {flow.path} answered HTTP {response.status_code}")
    return f"{flow.method} {flow.path}: HTTP {response.status_code}"


RESET_CONNECTIONS: AnyStep = Step(
    "reset application connections",
    "the runbook's connection pool reset",
    reset_connections,
    hint="curl -X POST {reset}",
)
