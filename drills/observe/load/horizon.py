"""The load's horizon: an instant before which every request the load started is recorded.

The harness judges only samples that are all in (verification, the measurement's
cut). Without a word from the load it must assume that any request may still be
waiting for as long as the load's timeout (2 s by default) and judge up to now
minus that, so every verification lasted its window plus that timeout. The
worker knows which requests are in flight, so it says so: the start of the
oldest one (now, when none is), never earlier than now minus the timeout (a
request cannot wait longer; a call that raised before locust recorded it is
forgotten then). It writes that instant to a file of its own, replaced whole,
a few times a second; the harness reads it before the requests file, so every
request that started before it is among the lines read next.

Imported by the worker, after gevent's patching, and by the harness: the
standard library only.
"""

from __future__ import annotations

import os
import pathlib
import time
from collections.abc import Callable, Hashable

HORIZON_FILE = "horizon"
EVERY_S = 0.1
"""How often the worker writes it: how far behind now the harness's horizon can be."""


class InFlight:
    """The starts of the requests each user (a greenlet) is making. A user's requests end in the
    reverse order they began (a request made inside another's `catch_response` block is
    recorded first), so each user's are a stack."""

    def __init__(
        self, timeout_s: float, who: Callable[[], Hashable], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.timeout_s = timeout_s
        self._who = who
        self._clock = clock
        self._starts: dict[Hashable, list[float]] = {}

    def began(self) -> None:
        self._starts.setdefault(self._who(), []).append(self._clock())

    def recorded(self) -> None:
        """Locust recorded the user's latest request (its request event, in the user's greenlet)."""
        stack = self._starts.get(self._who())
        if stack:
            stack.pop()

    def horizon(self) -> float:
        now = self._clock()
        oldest = min((start for stack in self._starts.values() for start in stack), default=now)
        return max(oldest, now - self.timeout_s)


def write(out: pathlib.Path, horizon: float) -> None:
    """Replaced whole, so that a reader never sees half a number."""
    part = out / f"{HORIZON_FILE}.part"
    part.write_text(repr(horizon))
    os.replace(part, out / HORIZON_FILE)


def read(out: pathlib.Path) -> float | None:
    """The worker's latest horizon (`time.monotonic()`), or None before its first or when it
    writes none (a user class it cannot follow)."""
    try:
        return float((out / HORIZON_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return None
