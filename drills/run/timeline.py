"""One clock and one timeline for the whole drill.

Instants come from `time.monotonic()` as seconds since the drill started; the
UTC wall time is kept beside each event as a label only. Listeners (the
journal, the live view, a rehearsal's console) are isolated the way locust's
`EventHook.fire` isolates its handlers: one that raises is logged, once, and
the drill goes on: a broken terminal must not leave a fault in place.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drillbook.contract import EventKind

LOG = logging.getLogger("drillbook.timeline")


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
    kind: EventKind
    detail: str


class Timeline:
    def __init__(self, clock: Clock, *listeners: Callable[[Event], object]) -> None:
        self.clock = clock
        self.events: list[Event] = []
        self._listeners = listeners
        self._failed: set[int] = set()
        self._lock = threading.RLock()
        """Events come from several threads (the drill's, a diagnostics snapshot's, a
        listener's): one at a time, each with its listeners, so the journal's lines and the
        timeline keep one order. Reentrant: a listener may record."""

    def record(self, kind: EventKind, detail: str, t: float | None = None) -> Event:
        with self._lock:
            at = self.clock.now() if t is None else t
            event = Event(round(at, 4), self.clock.wall(at), kind, detail)
            self.events.append(event)
            self._fire(event)
        return event

    def _fire(self, event: Event) -> None:
        for index, listener in enumerate(self._listeners):
            try:
                listener(event)
            except Exception:  # isolated: the drill, and the other listeners, go on
                if index not in self._failed:
                    self._failed.add(index)
                    name = getattr(listener, "__qualname__", repr(listener))
                    LOG.exception("timeline listener %s failed; the drill goes on without it", name)

    def ordered(self) -> list[Event]:
        return sorted(self.events, key=lambda e: e.t)
