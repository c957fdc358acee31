"""The cache goes away: the Redis container the guide's status check names is killed.

The service should not go down with it: it reads the database instead,
slower, and says "degraded" on its health endpoint; the drill measures that
time as `degraded_s` beside the downtime. The fault does not heal itself:
revert starts the cache again (empty: a cache keeps nothing on disk).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.replicas.protocols import Containers
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, killed, named_service

DEFAULT_SERVICE = "cache"


def check(target: Target, service: str = DEFAULT_SERVICE) -> None:
    named_service(target, "cache_outage", service, DEFAULT_SERVICE)


@contextmanager
def inject(replica: Containers, service: str = DEFAULT_SERVICE) -> Iterator[Fault]:
    check(replica.target, service)
    with killed(replica, service, "cache", "(empty)") as fault:
        yield fault


SCENARIO = Scenario(
    name="cache_outage",
    description="The Redis cache container is killed while traffic flows; the service should degrade, not fail.",
    expected_alerts=(),
    expected_recovery="restart_cache",
    rehearses=("redis-down", "performance-severely-degraded"),
    steps=(
        "kill (SIGKILL) the cache container",
        "leave it down until the procedure restarts it",
    ),
    inject=inject,
    check=check,
)
