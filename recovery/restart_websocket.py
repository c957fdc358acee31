"""The guide's "WebSocket Service Restart": close what is left of the old service
gracefully, start a new one, and see the stream flowing again.

The guide's TypeScript does it inside one process (`webSocketService.cleanup()`,
a new `WebSocketService`, `start()`); on a replica the service is the worker's
container, so cleanup is a graceful stop (SIGTERM: the worker sends every
client a close frame) and the new service a fresh start of it. The stream is
then read as a client reads it, and the app's health must stop saying
"degraded" about it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import websocket

from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import VERIFY
from drillbook.replicas import loopback


@dataclass(frozen=True)
class Options:
    service: str = "tracking"
    stop_timeout_s: int = 5
    ready_timeout_s: float = 30.0
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, object]


def clean_up(ctx: Ctx) -> str:
    """`webSocketService.cleanup()`: existing connections closed gracefully, if any are left."""
    replica, service = ctx.replica, ctx.options.service
    state = replica.status(service)
    if state != "running":
        return f"{service} is {state}: its connections are gone already, nothing to close"
    replica.stop(service, timeout_s=ctx.options.stop_timeout_s)
    return f"{service} was running: stopped gracefully (SIGTERM, clients sent close 1001)"


def start_new(ctx: Ctx) -> str:
    """`new WebSocketService(); start()`: the worker started afresh and ready."""
    replica, service = ctx.replica, ctx.options.service
    replica.start_service(service)
    waited = replica.wait_ready(service, ctx.options.ready_timeout_s)
    return f"{service} started, ready after {waited:.2f} s"


def stream_flows(ctx: Ctx) -> str:
    """A client's view: the stream accepts a connection and pushes; the app's health no longer
    says degraded. Until both, or the timeout."""
    replica = ctx.replica
    stream = replica.target.stream
    if stream is None:
        raise StepFailed("the target declares no WebSocket stream (load.websocket) to check")
    url = "ws" + replica.url(stream.service).removeprefix("http") + stream.path
    deadline = time.monotonic() + ctx.options.verify_timeout_s
    said, pushed = "nothing", False
    while time.monotonic() < deadline:
        pushed = pushed or _pushes(url, stream.silence_s)
        said = _health(replica.url() + replica.target.health)
        if pushed and said == "ok":
            return f"{stream.path} accepted a client and pushed an update; health says ok"
        time.sleep(0.2)
    where = "the stream pushed nothing" if not pushed else f"the health endpoint still says {said}"
    raise StepFailed(f"after {ctx.options.verify_timeout_s:g} s {where}")


def _pushes(url: str, silence_s: float) -> bool:
    try:
        connection = websocket.create_connection(url, timeout=silence_s)
    except (OSError, websocket.WebSocketException):
        return False
    try:
        return bool(connection.recv())
    except (OSError, websocket.WebSocketException):
        return False
    finally:
        connection.close(timeout=0.2)
        connection.shutdown()  # type: ignore[no-untyped-call]  # close() skips the socket when the server's close frame came first


def _health(url: str) -> str:
    try:
        body = loopback.get(url, timeout=2.0).json()
    except (httpx.HTTPError, ValueError):
        return "nothing"
    return str(body.get("status", "no status")) if isinstance(body, dict) else "no status"


PROCEDURE = Procedure(
    name="restart_websocket",
    description="The guide's WebSocket Service Restart: clean up the old worker, start a new one, see the stream flow.",
    options=Options,
    work=nothing,
    steps=(
        Step(
            "clean up the old service",
            "close what is left of the worker's connections gracefully (SIGTERM), if it still runs",
            clean_up,
            hint="docker stop -t 5 $(docker ps -aqf label=io.drillbook.service=tracking)",
        ),
        Step(
            "start a new service",
            "start the WebSocket worker afresh and wait until it answers",
            start_new,
            hint="docker start $(docker ps -aqf label=io.drillbook.service=tracking)",
        ),
        Step(
            "see the stream flow",
            "connect as a client until an update arrives, and health no longer says degraded",
            stream_flows,
            hint="curl {health_url}",
        ),
        VERIFY,
    ),
)
