"""Steps procedures share: the runbook's "verify restart" curl and its connection pool reset, as code."""

from __future__ import annotations

import time
from typing import Protocol

import httpx

from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.recovery.base import AnyStep, Step, StepContext
from drillbook.replicas.protocols import Addresses
from drillbook.replicas.target import Flow


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
    try:
        response = httpx.request(flow.method, ctx.replica.url() + flow.path, timeout=5.0)
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


def verify_flows(replica: Addresses, timeout_s: float) -> str:
    """Wait until the health endpoint and every key flow answer 2xx, each with its own method and body."""
    target = replica.target
    flows = [Flow("health", target.health), *target.key_flows]
    deadline = time.monotonic() + timeout_s
    failing: dict[str, str] = {}
    with httpx.Client(base_url=replica.url(), timeout=2.0) as client:
        while True:
            failing = {}
            for flow in flows:
                headers = {"Content-Type": "application/json"} if flow.body is not None else None
                try:
                    response = client.request(flow.method, flow.path, content=flow.body, headers=headers)
                    if not response.is_success:
                        failing[f"{flow.method} {flow.path}"] = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    failing[f"{flow.method} {flow.path}"] = type(exc).__name__
            if not failing:
                return f"health and {len(flows) - 1} key flows answer"
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    detail = ", ".join(f"{p}: {r}" for p, r in failing.items())
    raise StepFailed(f"still failing after {timeout_s:g} s: {detail}")
