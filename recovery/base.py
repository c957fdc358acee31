"""What a recovery procedure is: named steps, each timed by the runner.

A procedure is generic over its options (built from the drill's `with:`) and
over its work: a typed value the steps fill in for the ones after them (the
commit found to revert, the processes found to kill), made fresh for each
run. Steps reach the replica through `ReplicaAPI`, never the Docker replica.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from drillbook.replicas.protocols import ReplicaAPI
from drillbook.replicas.target import Target

Opts = TypeVar("Opts")
Work = TypeVar("Work")
O_co = TypeVar("O_co", covariant=True)
W_co = TypeVar("W_co", covariant=True)
O_contra = TypeVar("O_contra", contravariant=True)
W_contra = TypeVar("W_contra", contravariant=True)


@dataclass(frozen=True)
class StepContext(Generic[O_co, W_co]):
    replica: ReplicaAPI
    options: O_co
    """The procedure's options, built from the drill's `with:`."""
    work: W_co
    """What earlier steps found for the later ones (the procedure's `work()`)."""
    log: Callable[[str], object]
    figure: Callable[[str, float], object] = lambda _name, _value: None
    """Records a measured figure of the procedure (e.g. revert commit to healthy)."""
    clock: Callable[[], float] = time.monotonic
    injected_wall: float | None = None
    """When the fault was injected, in seconds since the epoch (the database's clock)."""
    fault_lsn: str | None = None
    """The database's WAL position just before the fault, when the fault recorded one."""


@dataclass(frozen=True)
class Step(Generic[O_contra, W_contra]):
    name: str
    description: str
    run: Callable[[StepContext[O_contra, W_contra]], str | None]
    """Does the step; returns a line for the timeline, raises when it fails."""
    hint: str = ""
    """What a person would type to do this step by hand, for rehearsals. Placeholders:
    {desired_state} {app_url} {health_url} {psql} {db_container} {app_container} {reset}."""


AnyStep = Step[object, object]
"""A step that needs neither options nor work: it fits every procedure (verify, reset)."""


def nothing() -> None:
    """The work of a procedure whose steps hand nothing on."""


@dataclass(frozen=True)
class Procedure(Generic[Opts, Work]):
    name: str
    description: str
    options: Callable[..., Opts]
    """A frozen dataclass; its fields are the procedure's parameters."""
    work: Callable[[], Work]
    steps: tuple[Step[Opts, Work], ...]
    check: Callable[[Target, Opts], None] = lambda _target, _options: None
    """Called as `check(target, options)` before anything starts; raises PluginError when the
    procedure cannot work on this replica (a failover with no standby)."""
    engines: tuple[str, ...] = ("docker",)
    """The engines it runs on (`docker`, `swarm`): a drill on another is refused before anything starts."""

    def context(self, replica: ReplicaAPI, given: dict[str, Any], **kwargs: Any) -> StepContext[Opts, Work]:
        """A fresh context for one run of the procedure: its options and empty work."""
        return StepContext(replica, self.options(**given), self.work(), **kwargs)


AnyProcedure = Procedure[Any, Any]
"""A procedure of any options and work: what the registry and the runner hold."""
