"""Finding, in the desired state's history, the change a rollback undoes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery.base import StepContext

if TYPE_CHECKING:  # GitPython runs `git version` when imported: a step that commits has it loaded
    from drillbook.replicas.desired_state import Commit, DesiredState

Aspect = Callable[[dict[str, Any]], Any]


def last_change(desired: DesiredState, aspect: Aspect, limit: int = 50) -> tuple[Commit, Commit]:
    """The newest commit that changed `aspect` of the desired state, and the one before
    it: the runbook's "git log --oneline -10  # find last stable commit"."""
    history = desired.log(limit)
    for newer, older in itertools.pairwise(history):
        if aspect(desired.state_at(newer.sha)) != aspect(desired.state_at(older.sha)):
            return newer, older
    raise RecoveryStepFailed(
        f"no commit in the last {len(history)} of {desired.path} changes what this rollback restores"
    )


def service_field(service: str, key: str) -> Aspect:
    def aspect(doc: dict[str, Any]) -> Any:
        return (doc.get("services", {}).get(service) or {}).get(key)

    return aspect


@dataclass
class Rollback:
    """What a rollback's steps hand on: the commit to revert, then when it was reverted."""

    found: Commit | None = None
    reverted_at: float | None = None


def revert_found(ctx: StepContext[object, Rollback]) -> str:
    """`git revert` the commit the previous step found; note when, for the figures."""
    found = ctx.work.found
    if found is None:
        raise RecoveryStepFailed("nothing to revert: the previous step found no commit")
    reverted = ctx.replica.revert(found)
    ctx.work.reverted_at = ctx.clock()
    return f"git revert {found.short} -> {reverted.short}"


def since_revert(ctx: StepContext[object, Rollback]) -> float:
    if ctx.work.reverted_at is None:
        raise RecoveryStepFailed("no revert was committed before this step")
    return ctx.clock() - ctx.work.reverted_at
