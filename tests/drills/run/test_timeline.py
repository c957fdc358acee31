"""The timeline's listeners are isolated: one that raises is logged once, the others still hear every event."""

from __future__ import annotations

import logging

import pytest

from drillbook.contract import EventKind
from drillbook.drills.run.timeline import Clock, Event, Timeline


def test_a_failing_listener_is_logged_once_and_the_others_go_on(caplog: pytest.LogCaptureFixture) -> None:
    heard: list[str] = []

    def broken(_event: Event) -> None:
        raise OSError("the terminal went away")

    timeline = Timeline(Clock(), broken, lambda e: heard.append(e.detail))
    with caplog.at_level(logging.ERROR, logger="drillbook.timeline"):
        for detail in ("one", "two", "three"):
            timeline.record(EventKind.PHASE, detail)
    assert heard == ["one", "two", "three"]
    assert [e.detail for e in timeline.events] == ["one", "two", "three"]
    assert len(caplog.records) == 1 and "broken" in caplog.records[0].getMessage()


def test_an_interrupt_in_a_listener_is_not_swallowed() -> None:
    def interrupted(_event: Event) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Timeline(Clock(), interrupted).record(EventKind.PHASE, "x")
