"""Slow database: the path between the service and its database turns slow, silent or
hostile, made by drillbook's TCP fault proxy (this kernel has no netem).

The drill puts the proxy in front of the database from the start
(`fault_proxy: {service: db}`), so the steady state is measured through it. The
fault is a command to the proxy: `latency` delays every answer from the
database by `latency_ms` (± `jitter_ms`), `timeout` holds all data (a
black-holed route: statements hang until the service's own deadline),
`reset` answers every connection with an RST. The database itself stays
healthy, which is what makes this incident hard to read.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from drillbook.errors import PluginError, ReplicaError
from drillbook.replicas import proxy
from drillbook.replicas.protocols import Addresses
from drillbook.replicas.target import Service, Target
from drillbook.scenarios.base import Fault, Scenario

Mode = Literal["latency", "timeout", "reset"]


def _proxy(target: Target, service: str | None) -> Service:
    name = service or target.database.service
    found = proxy.proxy_of(target, name)
    if found is None:
        raise PluginError(
            f"The scenario 'slow_database' makes its fault in drillbook's fault proxy, and this drill has none "
            f"in front of {name!r}. Add `fault_proxy: {{service: {name}}}` to the drill file."
        )
    return found


def check(
    target: Target,
    mode: Mode = "latency",
    latency_ms: float = 1500.0,
    jitter_ms: float = 0.0,
    service: str | None = None,
) -> None:
    _proxy(target, service)
    if mode == "latency" and not (1 <= latency_ms <= 600_000 and 0 <= jitter_ms <= latency_ms):
        raise PluginError(
            "The scenario 'slow_database' needs `latency_ms` between 1 and 600000 and `jitter_ms` between 0 "
            f"and latency_ms; got latency_ms={latency_ms!r}, jitter_ms={jitter_ms!r}."
        )


@contextmanager
def inject(
    replica: Addresses,
    mode: Mode = "latency",
    latency_ms: float = 1500.0,
    jitter_ms: float = 0.0,
    service: str | None = None,
) -> Iterator[Fault]:
    check(replica.target, mode, latency_ms, jitter_ms, service)
    front = _proxy(replica.target, service)
    url = replica.url(front.name)

    def revert() -> str | None:
        with contextlib.suppress(ReplicaError):
            return f"the fault proxy is {proxy.describe(proxy.set_fault(url, 'pass'))}"
        return None

    fault = Fault(f"the path to {front.host} is faulty", revert)
    try:
        state = proxy.set_fault(url, mode, latency_ms, jitter_ms)
        fault.began = time.monotonic()
        fault.description = f"the fault proxy in front of {front.host} is {proxy.describe(state)}"
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name="slow_database",
    description="The network path between the service and its database adds latency, black-holes data or resets.",
    expected_alerts=("response_time_slow", "high_error_rate", "health_check_fail"),
    expected_recovery="clear_network_fault",
    rehearses=("moderate-performance-issues", "performance-severely-degraded"),
    steps=(
        "check that the drill runs a fault proxy in front of the database (nothing changes otherwise)",
        "command the proxy: delay every answer, hold all data, or reset every connection",
        "requests wait on the database round trips: slow answers, or errors at the service's deadline",
    ),
    inject=inject,
    check=check,
)
