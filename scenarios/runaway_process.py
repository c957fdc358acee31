"""A runaway process eats the CPU of the service's container.

Busy loops started inside the container (a report exporter gone wrong), under
the container's CPU limit: the service gets a thin slice and its requests
queue until they time out. Revert kills them if the procedure did not.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import DrillbookError, PluginError
from drillbook.replicas.protocols import Commands
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service

NAME = re.compile(r"^[a-z][a-z0-9-]{2,40}$")


def check(target: Target, processes: int = 8, name: str = "report-exporter", service: str | None = None) -> None:
    named_service(target, "runaway_process", service, target.app)
    if not 1 <= processes <= 256:
        raise PluginError(f"The scenario 'runaway_process' starts 1 to 256 processes, not {processes}.")
    if not NAME.match(name):
        raise PluginError(
            f"The scenario 'runaway_process' needs a process `name` of 3-41 lowercase letters, digits and dashes "
            f"(it is how the process is found and killed); {name!r} is not one."
        )


@contextmanager
def inject(
    replica: Commands, processes: int = 8, name: str = "report-exporter", service: str | None = None
) -> Iterator[Fault]:
    check(replica.target, processes, name, service)
    chosen = service or replica.target.app

    def revert() -> str | None:
        try:
            code, _output = replica.exec(chosen, ["pkill", "-9", "-f", f"busy-loop {name}"])
        except DrillbookError:  # gone: no runaway process left
            return None
        return f"killed what was left of {name!r}" if code == 0 else None

    fault = Fault(f"{processes} busy processes {name!r} in {chosen!r}", revert)
    try:
        # One exec starts them all: each exec of its own would start inside the CPU the
        # loops already took, slower every time.
        spawn = (
            f'i=0; while [ $i -lt {processes} ]; do sh -c "while :; do :; done" "busy-loop {name}" & i=$((i+1)); done'
        )
        replica.spawn(chosen, ["sh", "-c", spawn])
        fault.began = time.monotonic()
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name="runaway_process",
    description="Busy processes started inside the service's container take its CPU.",
    expected_alerts=("high_error_rate", "health_check_fail", "response_time_slow"),
    expected_recovery="kill_runaway",
    rehearses=("moderate-performance-issues", "performance-severely-degraded"),
    steps=(
        "start N busy loops inside the service's container (it has a CPU limit)",
        "the service's requests queue behind them and time out",
    ),
    inject=inject,
    check=check,
)
