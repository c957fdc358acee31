"""The steady state holds for one whole window, a failed window is followed by a new one up to
`steady_state.windows`, and a write flow that cannot be proven stops the drill at once."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.drills import spec
from drillbook.drills.judge.steady import Judgement
from drillbook.drills.run.phases import steady
from drillbook.drills.run.state import Drill
from drillbook.errors import SteadyStateError
from tests.conftest import CATALOG
from tests.fakes import unit_drill

BLIP = Judgement(False, "probes failed: admin metrics (timed out after 1 s ×1)")
CLEAN = Judgement(True, "98 requests, error rate 0.0%, mean latency 12 ms")


def drill(tmp_path: pathlib.Path, windows: int = 3) -> Drill:
    path = spec.write_variant(
        CATALOG / "db-outage.yaml",
        tmp_path,
        "steady-unit",
        phases={"steady_state_s": 0.05},
        steady_state={"windows": windows},
    )
    return unit_drill(path, tmp_path, cap_s=60)


def scripted(monkeypatch: pytest.MonkeyPatch, *judgements: Judgement) -> list[float]:
    """Each window judged in turn as given; the starts of the windows judged."""
    starts: list[float] = []

    def judge(_drill: Drill, since: float) -> Judgement:
        starts.append(since)
        return judgements[len(starts) - 1]

    monkeypatch.setattr(steady, "judge", judge)
    return starts


def steady_lines(state: Drill) -> list[str]:
    return [e.detail for e in state.timeline.ordered() if e.kind == "steady_state"]


def test_a_blip_in_the_first_window_is_recorded_and_a_whole_new_window_holds(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = drill(tmp_path)
    starts = scripted(monkeypatch, BLIP, CLEAN)
    steady.steady_state(state)
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.05
    assert steady_lines(state) == [
        f"window 1 of 3 failed: {BLIP.detail}; judging a new window",
        f"held: {CLEAN.detail} (window 2 of 3)",
    ]
    assert [(c.name, c.ok) for c in state.checks] == [("steady_state", True)]


def test_no_whole_window_in_every_try_stops_the_drill_with_the_last_reason(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = drill(tmp_path, windows=2)
    starts = scripted(monkeypatch, BLIP, Judgement(False, "error rate 40.0% > 1.0%"))
    with pytest.raises(SteadyStateError, match=r"did not hold for a whole window of 0.05 s in 2 tries") as caught:
        steady.steady_state(state)
    assert "(the last: error rate 40.0% > 1.0%)" in str(caught.value) and len(starts) == 2
    assert [(c.name, c.ok) for c in state.checks] == [("steady_state", False)]
    assert steady_lines(state)[-1] == "failed: error rate 40.0% > 1.0%"


def test_a_write_flow_that_cannot_be_proven_stops_the_drill_without_another_window(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = drill(tmp_path)
    unproven = Judgement(False, "1 write flow(s) not proven by the ledger", ("The write flow 'create return' ...",))
    starts = scripted(monkeypatch, unproven, CLEAN)
    with pytest.raises(SteadyStateError, match="its write flows cannot be proven"):
        steady.steady_state(state)
    assert len(starts) == 1


def test_one_window_allowed_means_the_first_failure_stops_the_drill(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = drill(tmp_path, windows=1)
    starts = scripted(monkeypatch, BLIP, CLEAN)
    with pytest.raises(SteadyStateError, match=r"of 0.05 s in 1 try before any fault"):
        steady.steady_state(state)
    assert len(starts) == 1
