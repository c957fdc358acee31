"""The swarm's own rollback: `docker service rollback`, then git put right.

The swarm keeps each service's previous spec and puts it back by its rollback
policy, one task at a time. That is quicker than a GitOps revert (nothing to
find, nothing to commit before the tasks move), and it leaves the desired state
in git saying the broken release: the next reconcile would roll it out again.
So the procedure then reverts the deploy's commit, as the team would, and
reconciles to prove that git and the swarm agree (nothing to change).
"""

from __future__ import annotations

from dataclasses import dataclass

from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import VERIFY
from drillbook.recovery.gitops import Rollback, last_change, revert_found, service_field
from drillbook.replicas.protocols import on_cluster

NAME = "service_rollback"


@dataclass(frozen=True)
class Options:
    service: str | None = None
    timeout_s: float = 120.0
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, Rollback]


def _service(ctx: Ctx) -> str:
    return ctx.options.service or ctx.replica.target.app


def roll_back(ctx: Ctx) -> str:
    cluster = on_cluster(ctx.replica, f"The procedure {NAME!r}")
    started = ctx.clock()
    said = cluster.rollback(_service(ctx), ctx.options.timeout_s)
    ctx.figure("service_rollback_s", round(ctx.clock() - started, 2))
    return f"docker service rollback {_service(ctx)}: {said}"


def find_deploy(ctx: Ctx) -> str:
    bad, stable = last_change(ctx.replica.require_desired(), service_field(_service(ctx), "image"))
    ctx.work.found = bad
    return f"git still says the deploy {bad.short} ({bad.message}); before it {stable.short} ({stable.message})"


def agree(ctx: Ctx) -> str:
    changed = ctx.replica.reconcile(ctx.options.timeout_s)
    if changed:
        raise StepFailed(f"git and the swarm disagreed: the reconcile updated {', '.join(changed)}")
    return "reconciled to the revert: nothing to change, git and the swarm agree"


PROCEDURE = Procedure(
    name=NAME,
    description="docker service rollback: the swarm's previous spec back; then the deploy reverted in git, verify.",
    options=Options,
    work=Rollback,
    steps=(
        Step(
            "roll the service back",
            "docker service rollback: the swarm puts the previous spec back, one task at a time",
            roll_back,
            hint="docker service rollback app",
        ),
        Step(
            "find the deploy in git",
            "git log: the newest change of the service's image, which git still says",
            find_deploy,
            hint="git -C {desired_state} log --oneline -10",
        ),
        Step(
            "git revert the deploy",
            "a new commit undoing it, so the next reconcile does not roll it out again",
            revert_found,
            hint="git -C {desired_state} revert --no-edit <the deploy>",
        ),
        Step("git and the swarm agree", "reconcile to HEAD: nothing to change", agree),
        VERIFY,
    ),
    engines=("swarm",),
)
