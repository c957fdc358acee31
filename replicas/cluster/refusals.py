"""What a single engine does to a container and the swarm engine does not: refused, each
with the way out. A scenario or procedure that needs one says `engines=("docker",)` and
is refused before anything starts; these are the last word should one get through."""

from __future__ import annotations

from typing import NoReturn

from drillbook.errors import ReplicaError
from drillbook.replicas.protocols import Terminal


class Refusals:
    def _refuse(self, what: str) -> NoReturn:
        raise ReplicaError(
            f"{what} is not done on the swarm engine: the swarm owns its tasks' containers. Run this drill "
            "with `engine: {kind: docker}`, or pick a scenario and procedure made for a cluster."
        )

    def stop(self, service: str, timeout_s: int = 10) -> None:
        self._refuse(f"Stopping {service!r}")

    def pause(self, service: str) -> None:
        self._refuse(f"Pausing {service!r}")

    def unpause(self, service: str) -> None:
        self._refuse(f"Unpausing {service!r}")

    def start_service(self, service: str) -> None:
        self._refuse(f"Starting {service!r} by hand")

    def restart(self, service: str, timeout_s: int = 10) -> None:
        self._refuse(f"Restarting {service!r} by hand")

    def spawn(self, service: str, command: list[str]) -> None:
        self._refuse(f"A background command in {service!r}")

    def run_once(self, service: str, command: list[str], timeout_s: float = 900.0) -> tuple[int, str]:
        self._refuse(f"A one-off container of {service!r}")

    def remove_service(self, service: str) -> list[str]:
        self._refuse(f"Removing {service!r} with its volumes")

    def recreate(self, service: str, ready_timeout_s: float = 120.0, *, start: bool = True) -> float:
        self._refuse(f"Creating {service!r} again")

    def connected(self, service: str) -> bool:
        self._refuse(f"Cutting {service!r} off the network")

    def disconnect(self, service: str) -> None:
        self._refuse(f"Cutting {service!r} off the network")

    def connect(self, service: str) -> None:
        self._refuse(f"Connecting {service!r} to the network")

    def terminal(self) -> Terminal:
        self._refuse("The toolbox")
