"""Teardown as an ordered list of undo actions that always runs to its end.

Actions run last-in, first-out, like an ExitStack, but one that fails does
not stop the others, and the optional ones (the fault's revert, stopping the
load gracefully) are skipped when the operator asked to skip to teardown.
Running it twice is harmless: each action runs once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from drillbook.contract import EventKind


@dataclass
class _Action:
    name: str
    run: Callable[[], object]
    essential: bool
    done: bool = False


T = TypeVar("T")


class Teardown:
    def __init__(self, record: Callable[[EventKind, str], object]) -> None:
        self._actions: list[_Action] = []
        self._record = record

    def push(self, name: str, action: Callable[[], object], *, essential: bool) -> None:
        self._actions.append(_Action(name, action, essential))

    def enter(
        self,
        name: str,
        manager: AbstractContextManager[T],
        *,
        essential: bool,
        around: Callable[[Callable[[], object]], object] = lambda close: close(),
    ) -> T:
        """Enter `manager` and register its exit, as `ExitStack.enter_context` does: the exit
        runs at teardown only once the enter has returned (an enter that raised cleaned up
        after itself). `around` gets the exit to call, to record what it did."""
        entered = False

        def close() -> object:
            return manager.__exit__(None, None, None) if entered else None

        self.push(name, lambda: around(close), essential=essential)
        value = manager.__enter__()
        entered = True
        return value

    def run(self, skip_optional: Callable[[], bool] = lambda: False) -> list[str]:
        """Undo everything; returns the failures, each already on the timeline."""
        failures = []
        for action in reversed(self._actions):
            if action.done:
                continue
            action.done = True
            if not action.essential and skip_optional():
                self._record(EventKind.TEARDOWN, f"skipped: {action.name}")
                continue
            try:
                action.run()
            except Exception as exc:  # every other action must still run
                failures.append(f"{action.name}: {exc}")
                self._record(EventKind.TEARDOWN, f"FAILED: {action.name}: {exc}")
        return failures
