"""The fault proxy in front of a service: how a drill puts it there, and talks to it.

A drill file's `fault_proxy: {service: db}` gives the service's host name to a
proxy container (drillbook's `faultproxy` image) that forwards to the service,
now `db-upstream` on the network; everything else about the service stays (its
container, volumes and published port, which drillbook's own checks use, so
they see the database itself and not the path to it). The proxy passes traffic
untouched until a scenario sets a fault through its control port.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from drillbook.errors import ReplicaError
from drillbook.replicas import boundary, loopback
from drillbook.replicas.recipes import FAULT_PROXY_IMAGE
from drillbook.replicas.target import ReadyCheck, Service, Target

CONTROL_PORT = 8474
Mode = Literal["pass", "latency", "timeout", "reset"]


def fronted(target: Target, service: str) -> Target:
    """The target with a fault proxy in front of `service` (KeyError: no such service)."""
    behind = target.service(service)
    proxy = Service(
        name=f"{service}-proxy",
        image=FAULT_PROXY_IMAGE,
        port=CONTROL_PORT,
        ready=ReadyCheck("http", "/faults"),
        env={
            "UPSTREAM": f"{service}-upstream:{behind.port}",
            "LISTEN_PORT": str(behind.port),
            "CONTROL_PORT": str(CONTROL_PORT),
        },
        mem_limit="64m",
        alias=service,
        networks=behind.networks,
    )
    services: list[Service] = []
    for s in target.services:
        services.append(dataclasses.replace(s, alias=f"{service}-upstream") if s.name == service else s)
        if s.name == service:
            services.append(proxy)
    return dataclasses.replace(target, services=tuple(services))


def proxy_of(target: Target, service: str) -> Service | None:
    """The fault proxy in front of `service`, if the drill put one there."""
    return next((s for s in target.services if s.image == FAULT_PROXY_IMAGE and s.alias == service), None)


def set_fault(url: str, mode: Mode, latency_ms: float = 0.0, jitter_ms: float = 0.0) -> dict[str, Any]:
    """Set the proxy's fault through its control port; its state after the change."""
    try:
        with boundary.mapped():
            response = loopback.post(
                f"{url}/faults", json={"mode": mode, "latency_ms": latency_ms, "jitter_ms": jitter_ms}, timeout=5.0
            )
    except ReplicaError as exc:
        raise ReplicaError(f"The fault proxy at {url} did not answer: {exc}") from exc
    if response.status_code != 200:
        raise ReplicaError(f"The fault proxy at {url} refused the fault: {response.text[:200]}")
    state: dict[str, Any] = response.json()
    return state


def describe(state: dict[str, Any]) -> str:
    mode = state.get("mode")
    if mode == "latency":
        jitter = f" ± {state['jitter_ms']:g}" if state.get("jitter_ms") else ""
        return f"+{state['latency_ms']:g}{jitter} ms on every answer"
    return {"pass": "passing traffic untouched", "timeout": "holding all data", "reset": "resetting connections"}.get(
        str(mode), str(mode)
    )
