"""One clock and one timeline for the whole drill.

Instants come from `time.monotonic()` as seconds since the drill started; the
UTC wall time is kept beside each event as a label only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass


class Clock:
    def __init__(self) -> None:
        self.origin = time.monotonic()
        self.wall_origin = dt.datetime.now(dt.UTC)

    def now(self) -> float:
        return time.monotonic() - self.origin

    def from_monotonic(self, reading: float) -> float:
        return reading - self.origin

    def wall(self, t: float) -> str:
        return (self.wall_origin + dt.timedelta(seconds=t)).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Event:
    t: float
    wall: str
    kind: str
    detail: str


class Timeline:
    def __init__(self, clock: Clock, on_event: Callable[[Event], None] = lambda _e: None) -> None:
        self.clock = clock
        self.events: list[Event] = []
        self._on_event = on_event

    def record(self, kind: str, detail: str, t: float | None = None) -> Event:
        at = self.clock.now() if t is None else t
        event = Event(round(at, 4), self.clock.wall(at), kind, detail)
        self.events.append(event)
        self._on_event(event)
        return event

    def ordered(self) -> list[Event]:
        return sorted(self.events, key=lambda e: e.t)
