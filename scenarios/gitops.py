"""Faults that are commits to the desired state, and what they share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from drillbook.replicas import loopback
from drillbook.replicas.protocols import Deploys
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault

if TYPE_CHECKING:  # GitPython runs `git version` when imported: the drill that commits has it loaded
    from drillbook.replicas.desired_state import Commit


@contextmanager
def committed(
    replica: Deploys,
    description: str,
    change: Callable[[dict[str, Any]], None],
    message: str,
    in_effect: Callable[[], bool],
    *,
    begins_at_commit: bool,
    wait_ready: bool = True,
    not_ready_is_fault: bool = False,
    ready_timeout_s: float = 120.0,
) -> Iterator[Fault]:
    """Commit `change` and reconcile: that is the fault. Revert is a `git revert` of
    the commit and a reconcile, while the change is still in effect (a rollback by
    the procedure leaves nothing to undo).

    With `not_ready_is_fault` (a deploy) a release whose container exits or never
    answers stays deployed, as a deploy tool leaves it: users meet it, detection and
    the procedure run, and the drill is judged like any other."""
    made: list[Commit] = []

    def revert() -> str | None:
        if not made or not in_effect():
            return None
        replica.revert(made[0])
        replica.reconcile()
        return f"reverted {made[0].short} and reconciled"

    fault = Fault(description, revert)
    try:
        made.append(replica.commit(change, message))
        if begins_at_commit:
            fault.began = time.monotonic()
        replica.reconcile(ready_timeout_s, wait=wait_ready, not_ready_is_fault=not_ready_is_fault)
        if not begins_at_commit:
            fault.began = time.monotonic()
        fault.description += f" (commit {made[0].short})"
        failed = [r for r in replica.replacements[-1:] if r.ready_at is None]
        if failed and not_ready_is_fault:
            fault.description += f"; the new release did not start ({failed[0].outcome})"
            if failed[0].method == "rolling":
                fault.description += ", the rolling update halted with the old container serving"
        yield fault
    finally:
        fault.revert()


def release_image(target: Target, service: str, release: str) -> str:
    """The image of `release`: the service's image repository with the release as its tag."""
    image = target.service(service).image
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repository}:{release}"


def reported_version(replica: Deploys) -> str | None:
    """The version the service's health endpoint reports, if it reports one."""
    import httpx  # here: every scenario that deploys imports this module, and `list` asks nothing

    try:
        body = loopback.get(replica.url() + replica.target.health, timeout=2.0).json()
    except (httpx.HTTPError, ValueError):
        return None
    version = body.get("version") if isinstance(body, dict) else None
    return None if version is None else str(version)
