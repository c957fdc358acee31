"""The toolbox's network as part of the target: what a drill file's reading needs, and no engine.

Every service joins it; a production host name is answered by the TLS front
or, for a database, by the service itself (`fronted`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from drillbook.errors import ReplicaError
from drillbook.replicas.target import Service, Target

NETWORK = "drillbook-toolbox"
"""The Compose name of the toolbox's network among the target's networks."""
CONTAINER = "toolbox"
"""The toolbox's name among the replica's containers (`Replica.container_name`)."""


def on_toolbox_network(target: Target, hosts: Mapping[str, str]) -> Target:
    """The target with every service also on the toolbox's internal network; a production
    name of a service the front does not answer for (a database) is that service's alias there."""
    if NETWORK in target.networks:
        raise ReplicaError(f"The target already has a network named {NETWORK!r}; rename it in its Compose file.")
    services = []
    for service in target.services:
        extra = tuple(name for name, to in hosts.items() if to == service.name and not fronted(service))
        services.append(
            dataclasses.replace(
                service, networks=(*service.networks, NETWORK), aliases=tuple(dict.fromkeys((*service.aliases, *extra)))
            )
        )
    return dataclasses.replace(target, services=tuple(services), internal=frozenset({*target.internal, NETWORK}))


def fronted(service: Service) -> bool:
    """Reached through the TLS front (HTTP and HTTPS): a service with a port that is not a database."""
    return bool(service.port) and service.ready.kind != "postgres"
