"""The runbook's containment for a runaway process: find what eats the CPU
(`top`: what is always running), kill it (`pkill`), verify; if nothing can be
killed, restart the service ("restart application gracefully").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import VERIFY


@dataclass(frozen=True)
class Options:
    service: str | None = None
    readings: int = 3
    interval_s: float = 0.2
    verify_timeout_s: float = 30.0


@dataclass
class Found:
    pids: list[int] = field(default_factory=list)
    """The runaway processes, for the step that kills them."""


Ctx = StepContext[Options, Found]


def _service(ctx: Ctx) -> str:
    options = ctx.options
    return options.service or ctx.replica.target.app


def _runnable(ctx: Ctx) -> dict[int, str]:
    """pid -> command line of the processes `ps` shows running or runnable (state R)."""
    code, output = ctx.replica.exec(_service(ctx), ["ps", "-eo", "pid=,stat=,args="])
    if code != 0:
        raise RecoveryStepFailed(f"`ps` failed in the container: {output[:200]}")
    out: dict[int, str] = {}
    for line in output.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1].startswith("R") and not parts[2].startswith("ps "):
            out[int(parts[0])] = parts[2]
    return out


def find_runaway(ctx: Ctx) -> str:
    """Processes besides the service's own (PID 1) found running in most of several
    readings: a busy loop is always runnable, a helper that did a moment's work is not.
    (CPU percentages would hide a hundred loops that each get a sliver of the limit.)"""
    options = ctx.options
    seen: dict[int, int] = {}
    commands: dict[int, str] = {}
    for i in range(options.readings):
        if i:
            time.sleep(options.interval_s)
        for pid, args in _runnable(ctx).items():
            seen[pid] = seen.get(pid, 0) + 1
            commands[pid] = args
    runaway = sorted(pid for pid, n in seen.items() if pid != 1 and n > options.readings // 2)
    if not runaway:
        raise RecoveryStepFailed(
            f"no process besides the service's own was running in most of {options.readings} readings"
        )
    ctx.work.pids = runaway
    names = sorted({commands[pid] for pid in runaway})
    return f"{len(runaway)} process(es) running beside the service: {'; '.join(names)[:300]}"


def kill(ctx: Ctx) -> str:
    pids = ctx.work.pids
    if not pids:
        raise RecoveryStepFailed("nothing to kill: the previous step found no process")
    code, output = ctx.replica.exec(_service(ctx), ["kill", "-9", *map(str, pids)])
    if code != 0:
        ctx.replica.restart(_service(ctx))
        return f"kill failed ({output[:120]}); restarted the service instead"
    return f"killed {len(pids)} process(es): pids {', '.join(map(str, pids))}"


PROCEDURE = Procedure(
    name="kill_runaway",
    description="Find the processes eating the service's CPU, kill them (or restart the service), verify.",
    options=Options,
    work=Found,
    steps=(
        Step(
            "find the runaway process",
            "the processes running (state R) in most of several readings of ps in the container",
            find_runaway,
            hint="docker exec {app_container} top -b -n 1   (or: ps -eo pid,pcpu,args --sort=-pcpu)",
        ),
        Step(
            "kill it",
            "kill -9 the processes found; restart the service if that fails",
            kill,
            hint="docker exec {app_container} pkill -f <the process>",
        ),
        VERIFY,
    ),
)
