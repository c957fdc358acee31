"""The drill's state: its waits honour the cap and end a held fault on time."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.drills.run.state import Drill, DrillState
from drillbook.errors import DrillTimeout
from drillbook.scenarios.base import Fault
from tests.conftest import CATALOG
from tests.fakes import unit_drill


def drill(tmp_path: pathlib.Path, cap_s: float) -> Drill:
    return unit_drill(CATALOG / "db-outage.yaml", tmp_path, cap_s)


def test_a_wait_past_the_cap_stops_the_drill_naming_the_phase(tmp_path: pathlib.Path) -> None:
    state = drill(tmp_path, cap_s=0.3)
    state.enter(DrillState.DETECTING)
    with pytest.raises(DrillTimeout, match=r"maximum duration \(0.3 s, phases.max_duration_s\) while detecting"):
        state.wait(lambda: False, None)


def test_a_wait_ends_at_its_own_timeout_before_the_cap(tmp_path: pathlib.Path) -> None:
    state = drill(tmp_path, cap_s=60)
    assert state.wait(lambda: False, 0.2) is False
    assert state.wait(lambda: True, 0.2) is True


def test_a_held_fault_is_reverted_once_its_hold_time_is_over(tmp_path: pathlib.Path) -> None:
    state = drill(tmp_path, cap_s=60)
    undone: list[float] = []

    def unpause() -> str:
        undone.append(state.clock.now())
        return "unpaused db"

    state.fault = Fault("db paused", unpause)
    state.hold_until = state.clock.now() + 0.3
    state.wait(lambda: bool(undone), 5)
    assert len(undone) == 1 and undone[0] >= 0.3 and state.revert_recorded
    held = [e.detail for e in state.timeline.ordered() if e.kind == "fault"]
    assert held == ["reverted after its hold time: unpaused db"]
