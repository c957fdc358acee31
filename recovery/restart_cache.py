"""The guide's cache recovery: start Redis again, clear the application's caches (its
"clear application caches" endpoint, which flushes Redis too), warm them with the key
flows, verify that the service no longer says "degraded"."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import httpx

from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import VERIFY
from drillbook.replicas import loopback

CLEAR_PATH = "/api/admin/cache/clear"


@dataclass(frozen=True)
class Options:
    service: str = "cache"
    ready_timeout_s: float = 30.0
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, object]


def start_cache(ctx: Ctx) -> str:
    replica, service = ctx.replica, ctx.options.service
    state = replica.status(service)
    if state == "running":
        replica.restart(service)
    else:
        replica.start_service(service)
    waited = replica.wait_ready(service, ctx.options.ready_timeout_s)
    return f"{service} was {state}: {'restarted' if state == 'running' else 'started'}, ready after {waited:.2f} s"


def clear_caches(ctx: Ctx) -> str:
    try:
        answer = loopback.post(ctx.replica.url() + CLEAR_PATH, timeout=5.0)
    except httpx.HTTPError as exc:
        raise StepFailed(f"POST {CLEAR_PATH} failed: {type(exc).__name__}") from exc
    if not answer.is_success:
        raise StepFailed(f"POST {CLEAR_PATH} answered HTTP {answer.status_code}")
    return f"POST {CLEAR_PATH}: HTTP {answer.status_code} ({answer.text.strip()[:80]})"


def warm_and_wait(ctx: Ctx) -> str:
    """The key flows requested until the health endpoint stops saying "degraded"."""
    replica = ctx.replica
    target = replica.target
    deadline = time.monotonic() + ctx.options.verify_timeout_s
    with httpx.Client(base_url=replica.url(), timeout=2.0) as client:
        while True:
            for flow in target.key_flows:
                with contextlib.suppress(httpx.HTTPError):  # a flow that fails now is verify's to judge
                    client.request(flow.method, flow.path, content=flow.body)
            try:
                health = client.get(target.health).json()
            except (httpx.HTTPError, ValueError):
                health = {}
            if isinstance(health, dict) and health.get("status") == "ok":
                return f"{len(target.key_flows)} key flows warmed; health says ok"
            if time.monotonic() > deadline:
                said = health.get("status", "nothing") if isinstance(health, dict) else repr(health)
                raise StepFailed(f"after {ctx.options.verify_timeout_s:g} s the health endpoint still says {said}")
            time.sleep(0.2)


PROCEDURE = Procedure(
    name="restart_cache",
    description="Start the Redis cache again, clear and warm the application's caches, verify it is not degraded.",
    options=Options,
    work=nothing,
    steps=(
        Step(
            "start the cache",
            "start (or restart) the Redis container and wait for PING",
            start_cache,
            hint="docker start $(docker ps -aqf label=io.drillbook.service=cache)",
        ),
        Step(
            "clear application caches",
            "the guide's POST /api/admin/cache/clear",
            clear_caches,
            hint="curl -X POST {app_url}/api/admin/cache/clear",
        ),
        Step(
            "warm the caches",
            "request the key flows until health says ok, not degraded",
            warm_and_wait,
            hint="curl {health_url}",
        ),
        VERIFY,
    ),
)
