"""The slow database's recovery when the database itself is healthy: find the slow hop,
remove the fault on the path, reset the service's pool, verify.

The first step compares a `SELECT 1` at the database itself with the service's
health check (which queries the database), and reads the fault proxy's state: the runbook's "check
database connections" and "analyze slow API endpoints", ending where the
latency is. Failing over to a standby is the other way out; it needs a
standby in the replica.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import psycopg

from drillbook.errors import RecoveryStepFailed, ReplicaError
from drillbook.recovery import database
from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY
from drillbook.replicas import loopback, proxy


@dataclass(frozen=True)
class Options:
    service: str | None = None
    """The service whose path is faulty; the target's database when left out."""
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, None]


def _proxy_url(ctx: Ctx) -> tuple[str, str]:
    options = ctx.options
    target = ctx.replica.target
    name = options.service or target.database.service
    front = proxy.proxy_of(target, name)
    if front is None:
        raise RecoveryStepFailed(f"no fault proxy in front of {name}: nothing on the path to remove")
    return name, ctx.replica.url(front.name)


def find_slow_hop(ctx: Ctx) -> str:
    name, url = _proxy_url(ctx)
    started = time.perf_counter()
    try:
        with database.admin(ctx) as c:
            started = time.perf_counter()
            c.execute("SELECT 1").fetchone()
        at_db = f"{(time.perf_counter() - started) * 1000:.1f} ms"
    except psycopg.Error as exc:
        at_db = f"no answer ({type(exc).__name__})"
    health = ctx.replica.url() + ctx.replica.target.health
    started = time.perf_counter()
    try:
        status = loopback.get(health, timeout=30.0).status_code
        seen = f"; the service's health check: HTTP {status} in {(time.perf_counter() - started) * 1000:.0f} ms"
    except httpx.HTTPError as exc:
        seen = f"; the service's health check: {type(exc).__name__} after {time.perf_counter() - started:.1f} s"
    try:
        state = loopback.get(f"{url}/faults", timeout=5.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        raise RecoveryStepFailed(f"the fault proxy in front of {name} did not answer: {type(exc).__name__}") from exc
    return f"SELECT 1 at {name} itself: {at_db}{seen}; the path to it is {proxy.describe(state)}"


def remove_fault(ctx: Ctx) -> str:
    name, url = _proxy_url(ctx)
    try:
        state = proxy.set_fault(url, "pass")
    except ReplicaError as exc:
        raise RecoveryStepFailed(str(exc)) from exc
    return f"the path to {name} is {proxy.describe(state)} again"


PROCEDURE = Procedure(
    name="clear_network_fault",
    description="Find the slow hop between the service and its database, remove the fault, reset the pool, verify.",
    options=Options,
    work=nothing,
    steps=(
        Step(
            "find the slow hop",
            "SELECT 1 at the database itself against the service's health check; the path's state",
            find_slow_hop,
            hint="psql '{psql}' -c '\\timing' -c 'SELECT 1;'   # fast here, slow from the service: the path",
        ),
        Step("remove the fault", "the fault proxy back to passing traffic untouched", remove_fault),
        RESET_CONNECTIONS,
        VERIFY,
    ),
)
