"""The swarm puts itself right: a lost node is marked down and its tasks run elsewhere, a
crashed task is replaced in its slot, a lost leader is replaced by election.

Nobody restarts anything: the procedure is to watch the orchestrator do its job
within the time the team counts on, and to verify the service after it. Each
step is measured from the fault, so the report says how long the swarm took to
notice (a node: bounded below by its heartbeat; a task: by its own clock), to
take changes again (a leader committing a write), and to have every task
running again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from drillbook.errors import DrillbookError
from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.recovery.base import Procedure, Step, StepContext, nothing
from drillbook.recovery.checks import VERIFY
from drillbook.replicas.protocols import Cluster, on_cluster

NAME = "swarm_reschedule"
POLL_S = 0.2


@dataclass(frozen=True)
class Options:
    timeout_s: float = 120.0
    """How long each wait may take before the step fails."""
    verify_timeout_s: float = 30.0


Ctx = StepContext[Options, object]


def _cluster(ctx: Ctx) -> Cluster:
    return on_cluster(ctx.replica, f"The procedure {NAME!r}")


def _since_fault(ctx: Ctx, monotonic: float) -> float | None:
    if ctx.injected_wall is None:
        return None
    return time.time() - (time.monotonic() - monotonic) - ctx.injected_wall


def noticed(ctx: Ctx) -> str:
    """A node marked down, or a task seen failed since the fault: whichever the swarm saw."""
    cluster = _cluster(ctx)
    deadline = time.monotonic() + ctx.options.timeout_s
    while True:
        down = {name: cluster.down_since(name) for name in cluster.node_names()}
        found = {name: at for name, at in down.items() if at is not None}
        if found:
            name, at = min(found.items(), key=lambda item: item[1])
            after = _since_fault(ctx, at)
            if after is not None:
                ctx.figure("node_down_s", round(after, 2))
            return f"the swarm marked {name} down" + (f", {after:.1f} s after the fault" if after is not None else "")
        failed = _failed_since_fault(ctx, cluster)
        if failed is not None:
            return failed
        if time.monotonic() > deadline:
            states = ", ".join(f"{n.hostname} {n.state}" for n in cluster.nodes())
            raise StepFailed(f"no node marked down and no task failed within {ctx.options.timeout_s:g} s ({states})")
        time.sleep(POLL_S)


def _failed_since_fault(ctx: Ctx, cluster: Cluster) -> str | None:
    """The first task the swarm reports failed at or after the fault (its own timestamp)."""
    since = ctx.injected_wall
    failed = [
        t
        for t in cluster.tasks()
        if t.state == "failed" and (since is None or (t.at is not None and t.at >= since - 1.0))
    ]
    if not failed:
        return None
    task = min(failed, key=lambda t: t.at or 0.0)
    line = f"the swarm saw {task.service}.{task.slot} fail on {task.node}" + (f" ({task.error})" if task.error else "")
    if since is not None and task.at is not None:
        after = max(0.0, task.at - since)
        ctx.figure("task_failed_s", round(after, 2))
        line += f", {after:.1f} s after the fault"
    return line


def tasks_moved(ctx: Ctx) -> str:
    """Every service runs as many tasks as it should, each on a node the swarm calls ready."""
    cluster = _cluster(ctx)
    deadline = time.monotonic() + ctx.options.timeout_s
    services = [s.name for s in cluster.target.services]
    while True:
        ready = {n.hostname for n in cluster.nodes() if n.state == "ready"}
        tasks = [t for t in cluster.tasks() if t.state == "running" and t.desired == "running"]
        short = [s for s in services if sum(t.service == s and t.node in ready for t in tasks) < cluster.replicas_of(s)]
        if not short:
            after = None if ctx.injected_wall is None else time.time() - ctx.injected_wall
            if after is not None:
                ctx.figure("rescheduled_s", round(after, 2))
            where = ", ".join(sorted(f"{t.service}.{t.slot} on {t.node}" for t in tasks))
            return f"every task runs on a ready node: {where}" + (
                f" ({after:.1f} s after the fault)" if after is not None else ""
            )
        if time.monotonic() > deadline:
            missing = ", ".join(short)
            raise StepFailed(f"after {ctx.options.timeout_s:g} s still short of tasks on ready nodes: {missing}")
        time.sleep(POLL_S)


def leader_takes_updates(ctx: Ctx) -> str:
    """A write to the swarm's Raft store committed: a leader leads, whoever was lost."""
    cluster = _cluster(ctx)
    try:
        leader = cluster.take_update(ctx.options.timeout_s)
    except DrillbookError as exc:
        raise StepFailed(str(exc)) from exc
    after = None if ctx.injected_wall is None else time.time() - ctx.injected_wall
    if after is not None:
        ctx.figure("updates_taken_s", round(after, 2))
    return f"{leader} leads and committed a change to the swarm" + (
        f" ({after:.1f} s after the fault)" if after is not None else ""
    )


PROCEDURE = Procedure(
    name=NAME,
    description="Watch the swarm notice a lost node or task, a leader take updates, every task run again; verify.",
    options=Options,
    work=nothing,
    steps=(
        Step(
            "the swarm notices the loss",
            "wait until a manager reports the lost node down (about three heartbeats) or the task failed",
            noticed,
            hint="docker node ls; docker service ps app",
        ),
        Step(
            "a leader takes updates",
            "a change only the swarm's leader commits (a label on a node), retried until one does",
            leader_takes_updates,
            hint="docker node ls; docker node update --label-add check=1 node1",
        ),
        Step(
            "every task runs on a ready node",
            "wait until every service has its tasks running on ready nodes",
            tasks_moved,
            hint="docker service ps app",
        ),
        VERIFY,
    ),
    engines=("swarm",),
)
