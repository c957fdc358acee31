"""Ctrl-C, SIGTERM and a closed terminal (SIGHUP) during a drill, handled the way
an operator expects.

The first signal interrupts the drill where it is: the fault is reverted, the
replica torn down, the result written with verdict `interrupted`. A second
one skips what is left of the graceful part and goes to teardown only. No
signal can stop the teardown itself: a stray container, or a fault left
behind, would be an incident of its own. The old handlers come back on exit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Self

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_RECEIVED: list[str] = []
"""Every signal a drill of this process handled, in order, for the program around the drill."""


def received() -> tuple[str, ...]:
    """The signals drills of this process handled. A drill handles the signal itself, so a
    program that runs drills (a test session, a team's script) does not see its Ctrl-C unless it
    looks here: pytest went on to the next drill after each one, and `make test` took a Ctrl-C
    per drill to stop."""
    return tuple(_RECEIVED)


class Interrupts:
    def __init__(self, say: Callable[[str], object] = lambda _m: None) -> None:
        self.count = 0
        self.skip_to_teardown = False
        self._shielded = False
        self._say = say
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for signum in HANDLED:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        name = signal.Signals(signum).name
        _RECEIVED.append(name)
        if self.count == 1 and not self._shielded:
            raise KeyboardInterrupt(name)
        if not self.skip_to_teardown:
            self.skip_to_teardown = True
            again = " again" if self.count > 1 else ""
            self._say(f"{name}{again}: skipping to teardown only (the replica is still removed)")
        else:
            self._say(f"{name}: teardown is in progress and cannot be skipped; it ends by itself")

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """While inside, signals are counted and reported, never raised."""
        self._shielded = True
        try:
            yield
        finally:
            self._shielded = False
