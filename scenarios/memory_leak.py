"""A memory leak: a commit enables a feature flag whose code path keeps memory per request.

The container has a memory limit, so the leak ends in the `memory_exhaustion`
alert, or in the kernel's OOM killer if it is fast enough to get there first;
both are recorded. Revert is a `git revert` of the flag's commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Deploys
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service
from drillbook.scenarios.gitops import committed


def check(
    target: Target, flag: str = "leaky_cache", service: str | None = None, env: dict[str, str] | None = None
) -> None:
    chosen = named_service(target, "memory_leak", service, target.app)
    name, known = chosen.name, chosen.flags
    if flag not in known:
        raise PluginError(
            f"The scenario 'memory_leak' would enable flag {flag!r}, which service {name!r} does not know "
            f"(it knows: {', '.join(known) or 'no flags'}). Fix `with: flag:` in the drill file, or declare "
            "the flag under the service's `flags:` in the target."
        )


@contextmanager
def inject(
    replica: Deploys, flag: str = "leaky_cache", service: str | None = None, env: dict[str, str] | None = None
) -> Iterator[Fault]:
    name = service or replica.target.app

    def switch_on(doc: dict[str, Any]) -> None:
        entry = doc["services"][name]
        entry.setdefault("flags", {})[flag] = True
        entry.setdefault("env", {}).update(env or {})

    # The leak starts when the flagged container serves; the recreate before it is
    # the deploy's own blip, not the leak's doing.
    with committed(
        replica,
        f"feature flag {flag!r} on for {name!r}",
        switch_on,
        f"enable {flag} on {name}",
        lambda: bool(replica.desired_states()[name].flags.get(flag)),
        begins_at_commit=False,
    ) as fault:
        yield fault


SCENARIO = Scenario(
    name="memory_leak",
    description="A commit turns on a feature flag whose code path leaks memory on every request.",
    expected_alerts=("memory_exhaustion", "health_check_fail"),
    expected_recovery="config_rollback",
    rehearses=("performance-severely-degraded", "web-server-down"),
    steps=(
        "commit the flag (and any environment given) to the desired-state repository",
        "reconcile: the service is recreated with the flag on; memory grows toward its limit",
    ),
    inject=inject,
    check=check,
)
