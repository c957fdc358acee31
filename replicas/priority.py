"""A drill run under `nice` keeps its containers at the same CPU priority.

The engine starts a replica's containers, so they do not inherit the
priority of the `drillbook` process that asked for them: `nice -n 19
drillbook run` on a shared CI runner would lower the load generator and the
probes, and leave the service, its database and the toolbox competing at
full weight with everything else on the machine. The containers get the CPU
weight the kernel gives a process at the same nice level instead (the
engine's `--cpu-shares`, which it maps to cgroup v2's `cpu.weight` where that
is in use). At nice 0, the default, nothing is set.
"""

from __future__ import annotations

import os

DEFAULT_SHARES = 1024
"""The weight of a nice-0 process, and the engine's default for a container."""
STEP = 1.25
"""The kernel's weights (`sched_prio_to_weight`) differ by this factor per nice level."""
MIN_SHARES, MAX_SHARES = 2, 262144
"""The engine's bounds for `--cpu-shares`."""


def shares_for(nice: int) -> int | None:
    """The CPU shares that match a process's nice level; None at 0 (the engine's default)."""
    if nice == 0:
        return None
    return max(MIN_SHARES, min(MAX_SHARES, round(DEFAULT_SHARES / STEP**nice)))


def cpu_shares() -> int | None:
    """This process's nice level as containers' CPU shares, read when a container is made (a
    test or a program may change its priority between drills)."""
    return shares_for(os.getpriority(os.PRIO_PROCESS, 0))
