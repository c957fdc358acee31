"""What a recovery procedure is: named steps, each timed by the runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from replicas.replica import Replica


@dataclass(frozen=True)
class StepContext:
    replica: Replica
    options: Any
    """The procedure's `Options` instance, built from the drill's `with:`."""
    log: Callable[[str], object]


@dataclass(frozen=True)
class Step:
    name: str
    description: str
    run: Callable[[StepContext], str | None]
    """Does the step; returns a line for the timeline, raises when it fails."""


@dataclass(frozen=True)
class Procedure:
    name: str
    description: str
    options: Callable[..., Any]
    """A frozen dataclass; its fields are the procedure's parameters."""
    steps: tuple[Step, ...]
