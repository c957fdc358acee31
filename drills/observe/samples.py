"""Observations of the replica on the drill's clock, from probes and from the load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Source = Literal["probe", "load"]


@dataclass(frozen=True)
class Sample:
    """One request or probe, its times in seconds since the drill started.

    `at` is the instant the observation stands for: a success proves the
    service worked when it answered (`end`); a failure is what the user met
    from the moment they asked (`start`), so a request that hung for its whole
    timeout counts from the start of the hang, not from when we gave up.
    """

    source: Source
    name: str
    start: float
    end: float
    ok: bool
    status: int = 0
    error: str | None = None
    degraded: bool = False
    """A success that said the service runs degraded (a JSON answer with `"status": "degraded"`):
    it answers, but a part of it is failing or running on its fallback."""

    @property
    def at(self) -> float:
        return self.end if self.ok else self.start

    @property
    def latency_ms(self) -> float:
        return (self.end - self.start) * 1000.0


@dataclass(frozen=True)
class MemorySample:
    service: str
    at: float
    used_bytes: int
    limit_bytes: int
