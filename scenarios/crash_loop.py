"""A crash loop: a commit gives the service a configuration it cannot start with.

The reconcile recreates it; it exits at once, the engine restarts it under its
`on-failure` policy, it exits again, with a growing back-off. Revert is a
`git revert` of the commit and a reconcile, if the procedure did not do it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drillbook.errors import PluginError
from drillbook.replicas.protocols import DeploysAndWatches
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service
from drillbook.scenarios.gitops import committed

BAD = {"DB_POOL_SIZE": "ten"}
LOOP_SEEN_S = 15.0


def check(target: Target, env: dict[str, str] | None = None, service: str | None = None) -> None:
    chosen = named_service(target, "crash_loop", service, target.app)
    if chosen.restart == "no":
        raise PluginError(
            f"The scenario 'crash_loop' needs service {chosen.name!r} to have a restart policy (`restart: on-failure` "
            "in the target, or under the drill's `services:`): without one the engine never restarts it, "
            "so there is no loop, only a crash."
        )
    if env is not None and not env:
        raise PluginError("The scenario 'crash_loop' needs at least one variable in `env` to break the service with.")


@contextmanager
def inject(
    replica: DeploysAndWatches, env: dict[str, str] | None = None, service: str | None = None
) -> Iterator[Fault]:
    check(replica.target, env, service)
    chosen = service or replica.target.app
    bad = dict(env or BAD)
    before = replica.desired_states()[chosen].env

    def break_it(doc: dict[str, Any]) -> None:
        doc["services"][chosen].setdefault("env", {}).update(bad)

    with committed(
        replica,
        f"{chosen!r} given {', '.join(f'{k}={v}' for k, v in bad.items())}",
        break_it,
        f"configure {chosen}: {', '.join(bad)}",
        lambda: any(replica.desired_states()[chosen].env.get(k) != before.get(k) for k in bad),
        begins_at_commit=True,
        wait_ready=False,
    ) as fault:
        # A loop, not one crash: wait until the engine has restarted it at least once.
        deadline = time.monotonic() + LOOP_SEEN_S
        while replica.restart_count(chosen) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        fault.description += f", restarted {replica.restart_count(chosen)} time(s) so far"
        yield fault


SCENARIO = Scenario(
    name="crash_loop",
    description="A commit gives the service a configuration it cannot start with: it crash-loops.",
    expected_alerts=("health_check_fail", "high_error_rate"),
    expected_recovery="config_rollback",
    rehearses=("website-inaccessible", "web-server-down"),
    steps=(
        "commit an environment the service cannot start with to the desired-state repository",
        "reconcile without waiting: the container exits, the engine restarts it, again and again",
    ),
    inject=inject,
    check=check,
)
