"""The labelled containers' engine calls, on a stand-in engine: what is tried again, what is not."""

from __future__ import annotations

import docker.errors
import pytest

from drillbook.contract import EventKind
from drillbook.errors import EngineError
from drillbook.replicas import containers, labels
from drillbook.replicas.containers import LabelledContainers


class _Container:
    """A container whose pause fails with each of `refusals` in turn, then freezes it."""

    def __init__(self, refusals: list[str]) -> None:
        self.labels = {labels.MANAGED: "true", labels.DRILL: "d1"}
        self.refusals = refusals
        self.pauses = 0
        self.paused = False

    def pause(self) -> None:
        self.pauses += 1
        if self.refusals:
            raise docker.errors.APIError("500 Server Error", explanation=self.refusals.pop(0))
        self.paused = True


class _Engine:
    def __init__(self, container: _Container) -> None:
        self.containers = self
        self._container = container

    def get(self, name: str) -> _Container:
        assert name == "drillbook-d1-db"
        return self._container


FREEZE_MISSED = "Cannot pause container 1a2b: OCI runtime pause failed: unable to freeze: unknown"


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drillbook.replicas.containers.time.sleep", lambda _s: None)


Events = list[tuple[EventKind, str]]


def _replica(container: _Container, events: Events) -> LabelledContainers:
    return LabelledContainers(_Engine(container), "d1", lambda kind, detail: events.append((kind, detail)))  # type: ignore[arg-type]


def test_a_freeze_the_busy_host_missed_is_tried_again_and_said_so() -> None:
    container, events = _Container([FREEZE_MISSED, FREEZE_MISSED]), Events()
    _replica(container, events).pause("db")
    assert container.paused and container.pauses == 3
    assert [kind for kind, _ in events] == [EventKind.FAULT, EventKind.FAULT]
    assert all("could not freeze it" in detail and "again" in detail for _, detail in events)


def test_a_third_missed_freeze_is_the_engines_error() -> None:
    container, events = _Container([FREEZE_MISSED] * 3), Events()
    with pytest.raises(EngineError, match="unable to freeze"):
        _replica(container, events).pause("db")
    assert container.pauses == containers.FREEZE_ATTEMPTS and not container.paused


def test_any_other_refusal_is_not_tried_again() -> None:
    container, events = _Container(["Container 1a2b is not running"]), Events()
    with pytest.raises(EngineError, match="500 Server Error"):
        _replica(container, events).pause("db")
    assert container.pauses == 1 and not events
