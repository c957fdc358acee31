"""Teardown: last in, first out; a failure stops nothing; optional actions skippable; each runs once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from drillbook.contract import EventKind
from drillbook.drills.run.teardown import Teardown


def recorder() -> tuple[Teardown, list[str], list[str]]:
    ran: list[str] = []
    said: list[str] = []
    return Teardown(lambda kind, detail: said.append(f"{kind}: {detail}")), ran, said


def test_actions_run_last_in_first_out_and_a_failure_stops_none() -> None:
    teardown, ran, said = recorder()
    teardown.push("network", lambda: ran.append("network"), essential=True)

    def broken() -> None:
        raise OSError("engine gone")

    teardown.push("container", broken, essential=True)
    teardown.push("load", lambda: ran.append("load"), essential=True)
    assert teardown.run() == ["container: engine gone"]
    assert ran == ["load", "network"]
    assert said == [f"{EventKind.TEARDOWN}: FAILED: container: engine gone"]
    assert teardown.run() == [] and ran == ["load", "network"], "a second run does nothing again"


def test_optional_actions_are_skipped_when_asked_and_essential_ones_never() -> None:
    teardown, ran, said = recorder()
    teardown.push("remove the replica", lambda: ran.append("replica"), essential=True)
    teardown.push("revert the fault", lambda: ran.append("revert"), essential=False)
    teardown.run(skip_optional=lambda: True)
    assert ran == ["replica"] and said == ["teardown: skipped: revert the fault"]


def test_a_context_manager_entered_through_teardown_exits_there_once() -> None:
    teardown, ran, _ = recorder()

    @contextmanager
    def fault() -> Iterator[str]:
        ran.append("in")
        try:
            yield "the fault"
        finally:
            ran.append("out")

    seen: list[str] = []

    def around(close: Callable[[], object]) -> None:
        seen.append("around")
        close()

    value = teardown.enter("revert", fault(), essential=False, around=around)
    assert value == "the fault" and ran == ["in"]
    teardown.run()
    teardown.run()
    assert ran == ["in", "out"] and seen == ["around"]


def test_an_enter_that_raises_is_not_exited_again() -> None:
    teardown, ran, _ = recorder()

    @contextmanager
    def half_done() -> Iterator[None]:
        try:
            raise RuntimeError("the deploy failed")
            yield
        finally:
            ran.append("cleaned up by itself")

    with pytest.raises(RuntimeError):
        teardown.enter("revert", half_done(), essential=False)
    assert teardown.run() == []
    assert ran == ["cleaned up by itself"]
