"""What a scenario is: a fault declared in data, injected by a context manager."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Cluster, Containers
from drillbook.replicas.target import Service, Target


class Fault:
    """An injected fault; `revert` puts things back and is safe to call twice.

    The scenario's context manager calls it on exit, also when its own set-up
    failed halfway, and teardown calls it again, harmlessly.
    """

    def __init__(self, description: str, revert: Callable[[], str | None]) -> None:
        self.description = description
        self._revert = revert
        self.reverted = False
        self.revert_detail: str | None = None
        self.reverted_at: float | None = None
        self.lsn: str | None = None
        """The database's WAL position just before a fault that changed data: a
        point-in-time recovery replays up to here and not further."""
        """`time.monotonic()` of the revert: a fault that ends by itself (a provider that
        comes back) is put on the timeline when it did."""
        self.began: float | None = None
        """`time.monotonic()` when the fault began to take effect, for faults that take a
        while to land (a deploy recreates a container); None: when inject returned."""

    def revert(self) -> bool:
        """Undo the fault; True when this call did the work."""
        if self.reverted:
            return False
        self.reverted = True
        self.reverted_at = time.monotonic()
        self.revert_detail = self._revert()
        return True


@contextmanager
def killed(replica: Containers, service: str, what: str, after: str = "") -> Iterator[Fault]:
    """A service's container killed (SIGKILL) and left down; revert starts it again unless the
    procedure already did. `what` names it in the fault's words ("WebSocket worker"), `after`
    says what it is once started again ("(empty)" for a cache)."""

    def revert() -> str | None:
        if replica.status(service) == "running":
            return None
        replica.start_service(service)
        return f"started the {what} {service!r} again" + (f" {after}" if after else "")

    fault = Fault(f"{what} container {service!r}: kill", revert)
    try:
        # Its clients see the kill while the call is still returning: the fault began at the call.
        fault.began = time.monotonic()
        replica.kill(service)
        yield fault
    finally:
        fault.revert()


NodeLoss = Literal["link", "daemon"]
"""How a node is lost: its link cut (`link`), or its Docker daemon killed (`daemon`)."""

_LOSSES: dict[str, tuple[str, str, str]] = {
    "link": (" cut off", " cut off from the cluster (its link down)", "'s link is up again"),
    "daemon": (
        "'s daemon killed",
        "'s daemon killed (SIGKILL to dockerd; its containers run on)",
        "'s daemon started again",
    ),
}
"""Per loss: the fault's name after `what`, its description after `what`, its revert after the node."""


@contextmanager
def losing_node(cluster: Cluster, node: str, what: str, how: NodeLoss = "link") -> Iterator[Fault]:
    """A node of the cluster lost for the block, `what` naming it in the fault's words: its link
    cut, or its daemon killed while its containers run on; revert brings the link up or starts the
    daemon again, and the node rejoins the swarm."""
    on_it = sorted(f"{t.service}.{t.slot}" for t in cluster.tasks() if t.node == node and t.state == "running")
    name, description, back = _LOSSES[how]
    lose, restore = (cluster.cut, cluster.rejoin) if how == "link" else (cluster.kill_daemon, cluster.restart_daemon)

    def revert() -> str:
        restore(node)
        return f"{node}{back}: it rejoins the swarm"

    fault = Fault(f"{what}{name}", revert)
    try:
        fault.began = time.monotonic()
        lose(node)
        fault.description = f"{what}{description}, with {', '.join(on_it) or 'no task'}"
        yield fault
    finally:
        fault.revert()


def named_service(target: Target, scenario: str, service: str | None, default: str) -> Service:
    """The service a scenario acts on (`service` or its default), refused before anything starts."""
    name = service or default
    try:
        return target.service(name)
    except KeyError:
        raise PluginError(
            f"The scenario {scenario!r} names service {name!r}, which the target does not have "
            f"(it has {', '.join(s.name for s in target.services)})."
        ) from None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    expected_alerts: tuple[str, ...]
    expected_recovery: str
    steps: tuple[str, ...]
    inject: Callable[..., AbstractContextManager[Fault]]
    """Called as `inject(replica, **with_)`; its signature is the scenario's parameters."""
    rehearses: tuple[str, ...] = ()
    """The guide's incidents this fault rehearses (`scenarios/incidents.py` keys), for coverage."""
    images: Callable[..., tuple[str, ...]] = lambda _target, **_params: ()
    """Called as `images(target, **with_)`: images the fault needs, checked before anything starts."""
    check: Callable[..., None] = lambda _target, **_params: None
    """Called as `check(target, **with_)` before anything starts; raises PluginError on a
    parameter that does not fit the target (a flag the service does not know)."""
    engines: tuple[str, ...] = ("docker",)
    """The engines it runs on (`docker`, `swarm`): a drill on another is refused before anything starts."""
    ready: Callable[..., None] = lambda _replica, **_params: None
    """Called as `ready(replica, **with_)` once the replica is up, before the steady state: the
    checks only the running service can answer (the server's max_connections), so that a
    parameter it cannot take is refused before any load is judged or any fault injected."""

    def describe(self, params: dict[str, Any]) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{self.name}({args})" if args else self.name
