"""The runbook's configuration rollback: revert the feature-flag (or environment)
change in the desired state, reconcile, verify, and watch memory stay flat.
The time from the revert commit to memory seen flat is its own figure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import VERIFY
from drillbook.recovery.gitops import Rollback, last_change, revert_found, since_revert


@dataclass(frozen=True)
class Options:
    service: str | None = None
    ready_timeout_s: float = 120.0
    verify_timeout_s: float = 30.0
    flat_window_s: float = 5.0
    max_growth: float = 0.05
    """How much of the memory limit may be added over the window and still be flat."""
    check_memory: bool = True
    """Watch memory stay flat (a leak); off for a change that did not leak (a crash loop)."""


Ctx = StepContext[Options, Rollback]


def _service(ctx: Ctx) -> str:
    options = ctx.options
    return options.service or ctx.replica.target.app


def find_config_change(ctx: Ctx) -> str:
    name = _service(ctx)
    desired = ctx.replica.require_desired()

    def configuration(doc: dict[str, Any]) -> Any:
        entry = (doc.get("services") or {}).get(name) or {}
        return (entry.get("flags"), entry.get("env"))

    change, before = last_change(desired, configuration)
    ctx.work.found = change
    return f"configuration change {change.short} ({change.message}); before it {before.short}"


def reconcile(ctx: Ctx) -> str:
    options = ctx.options
    changed = ctx.replica.reconcile(options.ready_timeout_s)
    return f"recreated {', '.join(changed) or 'nothing'}"


def memory_flat(ctx: Ctx) -> str:
    """Memory sampled from the engine across the window grows by less than `max_growth`
    of the limit and stays under the alert's 95%."""
    options = ctx.options
    if not options.check_memory:
        return "skipped: check_memory is off for this drill"
    name = _service(ctx)
    readings: list[tuple[int, int]] = []
    flat_after = since_revert(ctx)
    deadline = time.monotonic() + options.flat_window_s
    while time.monotonic() < deadline:
        reading = ctx.replica.memory(name)
        if reading is not None:
            readings.append(reading)
        time.sleep(0.25)
    if len(readings) < 2:
        raise RecoveryStepFailed(f"no memory readings of {name!r} over {options.flat_window_s:g} s")
    limit = readings[-1][1]
    growth = (readings[-1][0] - readings[0][0]) / limit
    peak = max(r[0] for r in readings) / limit
    detail = (
        f"{readings[0][0] / 2**20:.1f} -> {readings[-1][0] / 2**20:.1f} MiB over {options.flat_window_s:g} s, "
        f"peak {peak:.0%} of the limit"
    )
    if growth > options.max_growth or peak > 0.95:
        raise RecoveryStepFailed(f"memory is not flat: {detail}")
    # Flat from the window's start on: that is when the reverted service's memory stopped growing.
    ctx.figure("revert_commit_to_memory_flat_s", flat_after)
    return detail


PROCEDURE = Procedure(
    name="config_rollback",
    description="Revert the flag or environment commit, reconcile, verify memory stays flat.",
    options=Options,
    work=Rollback,
    steps=(
        Step(
            "find the configuration change",
            "git log: the newest change of the service's flags or env",
            find_config_change,
            hint="git -C {desired_state} log --oneline -10",
        ),
        Step(
            "git revert it",
            "a new commit undoing it; history is kept",
            revert_found,
            hint="git -C {desired_state} revert --no-edit <the flag commit>",
        ),
        Step(
            "reconcile",
            "recreate the service with the reverted configuration",
            reconcile,
            hint="type r here: drillbook reconciles the replica to HEAD, as a GitOps controller would",
        ),
        VERIFY,
        Step(
            "memory stays flat",
            "over the window, sampled from the engine",
            memory_flat,
            hint="docker stats --no-stream {app_container}",
        ),
    ),
)
