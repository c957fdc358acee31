"""The runbook's application rollback, the GitOps way: find the last stable commit
in `git log`, `git revert` the bad one (history is kept: no reset, no force-push),
reconcile, verify. The time from the revert commit to a healthy service is
recorded as its own figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import VERIFY
from drillbook.recovery.gitops import Rollback, last_change, revert_found, service_field, since_revert


@dataclass(frozen=True)
class Options:
    service: str | None = None
    ready_timeout_s: float = 120.0
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, Rollback]


def _service(ctx: Ctx) -> str:
    options = ctx.options
    return options.service or ctx.replica.target.app


def find_last_stable(ctx: Ctx) -> str:
    desired = ctx.replica.require_desired()
    bad, stable = last_change(desired, service_field(_service(ctx), "image"))
    ctx.work.found = bad
    return f"bad deploy {bad.short} ({bad.message}); last stable commit {stable.short} ({stable.message})"


def reconcile(ctx: Ctx) -> str:
    options = ctx.options
    changed = ctx.replica.reconcile(options.ready_timeout_s)
    took = since_revert(ctx)
    ctx.figure("revert_commit_to_healthy_s", took)
    return f"recreated {', '.join(changed) or 'nothing'}; healthy {took:.2f} s after the revert commit"


PROCEDURE = Procedure(
    name="git_rollback",
    description="Revert the bad deploy's commit in the desired state, reconcile, verify.",
    options=Options,
    work=Rollback,
    steps=(
        Step(
            "find the last stable commit",
            "git log: the newest change of the service's image",
            find_last_stable,
            hint="git -C {desired_state} log --oneline -10",
        ),
        Step(
            "git revert the bad commit",
            "a new commit undoing it; history is kept",
            revert_found,
            hint="git -C {desired_state} revert --no-edit <the bad commit>",
        ),
        Step(
            "reconcile",
            "recreate the service on the reverted image and wait until it answers",
            reconcile,
            hint="type r here: drillbook reconciles the replica to HEAD, as a GitOps controller would",
        ),
        VERIFY,
    ),
    engines=("docker", "swarm"),
)
