"""Verification judges only samples that are all in (up to the oldest request or probe still
waiting), and ends without a failure only once two windows after the fault and one after the
procedure are in."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.drills.observe.load.ledger import RequestRecord
from drillbook.drills.observe.samples import Sample
from drillbook.drills.run import watch
from drillbook.drills.run.state import Drill
from tests.conftest import WINDOW_S, drill_file
from tests.fakes import unit_drill


def drill_with(tmp_path: pathlib.Path, load_timeout_s: float) -> Drill:
    """The test drill, its fault injected at 10 s, its load requests waiting up to `load_timeout_s`
    (its probes 1 s)."""
    path = drill_file(tmp_path, phases={"verify_window_s": WINDOW_S}, load={"timeout_s": load_timeout_s})
    drill = unit_drill(path, tmp_path, cap_s=60)
    drill.injected_at = 10.0
    return drill


@pytest.fixture
def state(tmp_path: pathlib.Path) -> Drill:
    return drill_with(tmp_path, load_timeout_s=2.0)


def at(monkeypatch: pytest.MonkeyPatch, drill: Drill, known: float, seen: list[Sample] | None = None) -> None:
    """Every sample up to `known` is in (nothing started before it is still waiting)."""
    monkeypatch.setattr(drill.clock, "now", lambda: known)
    monkeypatch.setattr(watch, "observed", lambda _drill: (list(seen or []), known))


class _Probes:
    def __init__(self, samples: list[Sample], horizon: float) -> None:
        self.samples, self._horizon = samples, horizon

    def horizon(self) -> float:
        return self._horizon


class _Load:
    """The load as the harness holds it: its requests read so far and the worker's horizon."""

    def __init__(self, horizon: float) -> None:
        self.requests: list[RequestRecord] = []
        self.horizon = horizon
        self.polled = 0

    def poll(self) -> None:
        self.polled += 1


def test_samples_are_in_up_to_the_oldest_probe_or_request_still_waiting(
    state: Drill, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state.clock, "now", lambda: 30.0)
    probe = Sample("probe", "health", 29.0, 29.1, ok=True)
    state.probes = _Probes([probe], horizon=29.6)  # type: ignore[assignment]
    load = _Load(horizon=state.clock.origin + 29.8)  # the worker's word, on the monotonic clock
    state.load = load  # type: ignore[assignment]
    seen, known = watch.observed(state)
    assert seen == [probe] and known == pytest.approx(29.6) and load.polled == 1
    load.horizon = state.clock.origin + 27.5  # a request hangs since 27.5 s
    assert watch.observed(state)[1] == pytest.approx(27.5)
    state.probes = _Probes([], horizon=30.0)  # type: ignore[assignment]
    state.load = None
    assert watch.observed(state) == ([], 30.0)  # nothing waiting: all of it is in


def test_no_disruption_waits_for_a_window_after_the_procedure_and_a_failure_ends_it(
    state: Drill, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Verification starts 8.8 s after the fault: two windows since the fault are in, but not
    # one since the procedure ended (a swarm's rescheduling fails requests about then).
    verifying_since = 18.8
    at(monkeypatch, state, 19.0)
    assert not watch.no_disruption(state, verifying_since)
    at(monkeypatch, state, verifying_since + WINDOW_S)
    assert watch.no_disruption(state, verifying_since)
    failed = Sample("load", "POST /api/orders", 18.9, 20.9, ok=False, status=0, error="timed out")
    at(monkeypatch, state, verifying_since + WINDOW_S, [failed])
    assert not watch.no_disruption(state, verifying_since)


def test_no_disruption_needs_two_windows_after_the_fault(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = drill_with(tmp_path, load_timeout_s=0.5)
    at(monkeypatch, state, 10.0 + 2 * WINDOW_S - 0.1)
    assert not watch.no_disruption(state, 10.5)
    at(monkeypatch, state, 10.0 + 2 * WINDOW_S)
    assert watch.no_disruption(state, 10.5)
