"""The real-time service goes away: the driver-tracking WebSocket worker is killed.

The guide's status check names "websockets" beside the API; customers watching
a pickup on the live map hold a WebSocket to it. Killing its worker drops
every one of those connections at once while the HTTP API keeps answering
(degraded, on its health endpoint). What users saw is measured apart: how long
the load's WebSocket clients were disconnected and how many reconnected. The
fault does not heal itself: revert starts the worker again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Containers
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, killed, named_service

DEFAULT_SERVICE = "tracking"


def check(target: Target, service: str = DEFAULT_SERVICE) -> None:
    """A stream the load holds on that service, or the outage would be seen by no one."""
    named_service(target, "websocket_outage", service, DEFAULT_SERVICE)
    if target.stream is None or target.stream.service != service:
        held = f"the load holds one on {target.stream.service!r}" if target.stream else "the load holds none"
        raise PluginError(
            f"The scenario 'websocket_outage' kills service {service!r}, but {held}: the disconnections "
            f"would go unmeasured. Give the target `load: {{websocket: {{service: {service}, path: ...}}}}`."
        )


@contextmanager
def inject(replica: Containers, service: str = DEFAULT_SERVICE) -> Iterator[Fault]:
    check(replica.target, service)
    with killed(replica, service, "WebSocket worker") as fault:
        yield fault


SCENARIO = Scenario(
    name="websocket_outage",
    description="The driver-tracking WebSocket worker is killed while clients hold the live stream.",
    expected_alerts=(),
    expected_recovery="restart_websocket",
    rehearses=("websockets-down",),
    steps=(
        "kill (SIGKILL) the WebSocket worker's container: every client's stream drops",
        "leave it down until the procedure restarts it",
    ),
    inject=inject,
    check=check,
)
