"""What a recovery procedure is: named steps, each timed by the runner."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drillbook.replicas.replica import Replica


@dataclass(frozen=True)
class StepContext:
    replica: Replica
    options: Any
    """The procedure's `Options` instance, built from the drill's `with:`."""
    log: Callable[[str], object]
    figure: Callable[[str, float], object] = lambda _name, _value: None
    """Records a measured figure of the procedure (e.g. revert commit to healthy)."""
    clock: Callable[[], float] = time.monotonic
    injected_wall: float | None = None
    """When the fault was injected, in seconds since the epoch (the database's clock)."""
    fault_lsn: str | None = None
    """The database's WAL position just before the fault, when the fault recorded one."""
    notes: dict[str, object] = field(default_factory=dict)
    """What one step found for the next (the commit to revert, when it was made)."""


@dataclass(frozen=True)
class Step:
    name: str
    description: str
    run: Callable[[StepContext], str | None]
    """Does the step; returns a line for the timeline, raises when it fails."""
    hint: str = ""
    """What a person would type to do this step by hand, for rehearsals. Placeholders:
    {desired_state} {app_url} {health_url} {psql} {db_container} {app_container} {reset}."""


@dataclass(frozen=True)
class Procedure:
    name: str
    description: str
    options: Callable[..., Any]
    """A frozen dataclass; its fields are the procedure's parameters."""
    steps: tuple[Step, ...]
    check: Callable[[Any, Any], None] = lambda _target, _options: None
    """Called as `check(target, options)` before anything starts; raises PluginError when the
    procedure cannot work on this replica (a failover with no standby)."""
