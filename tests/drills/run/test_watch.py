"""Verification judges only samples that are all in, and ends without a failure only once two
windows after the fault and one after the procedure are in."""

from __future__ import annotations

import pathlib

import pytest

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


def at(monkeypatch: pytest.MonkeyPatch, drill: Drill, now: float, seen: list[Sample] | None = None) -> None:
    monkeypatch.setattr(drill.clock, "now", lambda: now)
    monkeypatch.setattr(watch, "samples", lambda _drill: list(seen or []))


def test_samples_are_in_up_to_the_longer_of_the_probes_and_the_loads_timeouts(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = drill_with(tmp_path / "quick", load_timeout_s=0.5)
    at(monkeypatch, quick, 30.0)
    assert watch.known_until(quick) == 29.0  # the probes' 1 s
    slow = drill_with(tmp_path / "slow", load_timeout_s=2.0)
    at(monkeypatch, slow, 30.0)
    assert watch.known_until(slow) == 28.0


def test_no_disruption_waits_for_a_window_after_the_procedure_and_a_failure_ends_it(
    state: Drill, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Verification starts 8.8 s after the fault: two windows since the fault are in, but not
    # one since the procedure ended (a swarm's rescheduling fails requests about then).
    verifying_since = 18.8
    at(monkeypatch, state, 19.0)
    assert not watch.no_disruption(state, verifying_since)
    at(monkeypatch, state, verifying_since + WINDOW_S + 2.0)
    assert watch.no_disruption(state, verifying_since)
    failed = Sample("load", "POST /api/orders", 18.9, 20.9, ok=False, status=0, error="timed out")
    at(monkeypatch, state, verifying_since + WINDOW_S + 2.0, [failed])
    assert not watch.no_disruption(state, verifying_since)


def test_no_disruption_needs_two_windows_after_the_fault(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = drill_with(tmp_path, load_timeout_s=0.5)
    at(monkeypatch, state, 10.0 + 2 * WINDOW_S)  # known until one probe timeout before that
    assert not watch.no_disruption(state, 10.5)
    at(monkeypatch, state, 10.0 + 2 * WINDOW_S + 1.0)
    assert watch.no_disruption(state, 10.5)
