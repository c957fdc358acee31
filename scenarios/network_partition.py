"""A network partition: the database is cut off the replica's network.

The service can no longer reach it (its name does not resolve, its address
does not answer), nor can anything else. Revert reconnects it under its
service name if the procedure did not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.replicas.protocols import Network
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service


def check(target: Target, service: str | None = None) -> None:
    named_service(target, "network_partition", service, target.database.service)


@contextmanager
def inject(replica: Network, service: str | None = None) -> Iterator[Fault]:
    check(replica.target, service)
    chosen = service or replica.target.database.service

    def revert() -> str | None:
        if replica.connected(chosen):
            return None
        replica.connect(chosen)
        return f"reconnected {chosen} to the replica's network"

    fault = Fault(f"{chosen!r} disconnected from the replica's network", revert)
    try:
        replica.disconnect(chosen)
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name="network_partition",
    description="The database (or another service) is disconnected from the replica's network.",
    expected_alerts=("database_down", "health_check_fail", "high_error_rate"),
    expected_recovery="reconnect_network",
    rehearses=("database-connection-failure",),
    steps=(
        "disconnect the service's container from the replica's network",
        "leave it cut off until the procedure reconnects it",
    ),
    inject=inject,
    check=check,
)
