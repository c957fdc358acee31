"""Mending a partition: find the services cut off the replica's network,
reconnect them under their names, reset the application's connection pool
(the runbook's "Restart database connection pool"), verify.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import RESET_CONNECTIONS, VERIFY


@dataclass(frozen=True)
class Options:
    verify_timeout_s: float = 30.0


@dataclass
class Found:
    cut: list[str] = field(default_factory=list)
    """The services off the replica's network."""


Ctx = StepContext[Options, Found]


def find_partitioned(ctx: Ctx) -> str:
    cut = [s.name for s in ctx.replica.target.services if not ctx.replica.connected(s.name)]
    if not cut:
        raise RecoveryStepFailed("every service is on the replica's network: no partition to mend")
    ctx.work.cut = cut
    return f"not on {ctx.replica.network_name}: {', '.join(cut)}"


def reconnect(ctx: Ctx) -> str:
    cut = ctx.work.cut
    if not cut:
        raise RecoveryStepFailed("nothing to reconnect: the previous step found no partition")
    for service in cut:
        ctx.replica.connect(str(service))
    return f"reconnected {', '.join(map(str, cut))}"


PROCEDURE = Procedure(
    name="reconnect_network",
    description="Reconnect the services cut off the replica's network, reset the pool, verify.",
    options=Options,
    work=Found,
    steps=(
        Step(
            "find the partition",
            "which containers are not on the replica's network",
            find_partitioned,
            hint="docker inspect -f '{{{{json .NetworkSettings.Networks}}}}' {db_container}",
        ),
        Step(
            "reconnect",
            "docker network connect, with the service's name as its alias",
            reconnect,
            hint="docker network connect --alias db <the replica's network> {db_container}",
        ),
        RESET_CONNECTIONS,
        VERIFY,
    ),
)
