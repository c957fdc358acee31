"""The runbook's feature-flag fallback for a payment provider outage: accept the
order, queue the payment. The provider is not ours to fix, so the procedure
confirms it is the provider, turns the fallback on through the service's
feature endpoint, verifies orders are taken again, waits for the provider to
return and the queue to be completed, and turns the fallback off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import VERIFY
from drillbook.replicas import loopback


@dataclass(frozen=True)
class Options:
    flag: str = "payment_fallback"
    drain_timeout_s: float = 120.0
    """How long to wait for the provider to return and the queued payments to be completed."""
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, None]


def _payments(ctx: Ctx) -> dict[str, Any]:
    """The `payments` part of the service's health answer."""
    try:
        body = loopback.get(ctx.replica.url() + ctx.replica.target.health, timeout=10.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        raise RecoveryStepFailed(f"the health endpoint did not answer: {type(exc).__name__}") from exc
    payments = body.get("payments") if isinstance(body, dict) else None
    if not isinstance(payments, dict):
        raise RecoveryStepFailed("the health endpoint says nothing about payments")
    return payments


def _flag(ctx: Ctx, on: bool) -> str:
    options = ctx.options
    path = "/api/admin/features/" + ("enable" if on else "disable")
    try:
        response = loopback.post(ctx.replica.url() + path, json={"feature": options.flag}, timeout=10.0)
    except httpx.HTTPError as exc:
        raise RecoveryStepFailed(f"POST {path} failed: {type(exc).__name__}") from exc
    if not response.is_success:
        raise RecoveryStepFailed(f"POST {path} answered HTTP {response.status_code}: {response.text[:160]}")
    return f"POST {path} {{feature: {options.flag}}}: HTTP {response.status_code}"


def confirm_provider(ctx: Ctx) -> str:
    provider = str(_payments(ctx).get("provider"))
    if not provider.startswith("failing"):
        raise RecoveryStepFailed(f"the payment provider is {provider}: there is nothing to fall back from")
    return f"the service reports the payment provider {provider}"


def fallback_on(ctx: Ctx) -> str:
    return _flag(ctx, True) + ": orders are accepted and their payments queued"


def drain(ctx: Ctx) -> str:
    options = ctx.options
    started = time.monotonic()
    most = 0
    while True:
        payments = _payments(ctx)
        queued = payments.get("queued")
        most = max(most, queued if isinstance(queued, int) else 0)
        if payments.get("provider") == "ok" and queued == 0:
            done = payments.get("completed_from_queue")
            return (
                f"the provider answers again; {done} queued payment(s) completed, none left "
                f"(waited {time.monotonic() - started:.1f} s, at most {most} queued)"
            )
        if time.monotonic() - started > options.drain_timeout_s:
            raise RecoveryStepFailed(
                f"after {options.drain_timeout_s:g} s the provider is {payments.get('provider')} and {queued} "
                "payment(s) are still queued: the fallback stays on"
            )
        time.sleep(0.5)


def fallback_off(ctx: Ctx) -> str:
    return _flag(ctx, False) + ": orders are charged at once again"


PROCEDURE = Procedure(
    name="payment_fallback",
    description="Confirm the provider fails, turn the payment fallback on, verify, complete the queue, turn it off.",
    options=Options,
    work=nothing,
    steps=(
        Step(
            "confirm the provider is failing",
            "the service's health answer names the payment provider's state",
            confirm_provider,
            hint="curl -s {health_url}",
        ),
        Step(
            "turn the payment fallback on",
            "the runbook's feature flag: accept the order, queue the payment",
            fallback_on,
            hint='curl -X POST {app_url}/api/admin/features/enable -d \'{{"feature": "payment_fallback"}}\'',
        ),
        VERIFY,
        Step(
            "complete the queued payments",
            "wait for the provider to answer again and the queue to be empty",
            drain,
            hint="curl -s {app_url}/api/admin/monitoring/metrics   # payments.queued",
        ),
        Step(
            "turn the payment fallback off",
            "orders are charged at once again",
            fallback_off,
            hint='curl -X POST {app_url}/api/admin/features/disable -d \'{{"feature": "payment_fallback"}}\'',
        ),
    ),
)
