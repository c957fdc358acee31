"""The load's horizon: the start of the oldest request still waiting, never older than the timeout."""

from __future__ import annotations

import pathlib

from drillbook.drills.observe.load import horizon
from drillbook.drills.observe.load.horizon import InFlight


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _in_flight(clock: _Clock, user: list[str]) -> InFlight:
    return InFlight(2.0, who=lambda: user[0], clock=clock)


def test_the_horizon_is_the_oldest_start_of_any_user_and_now_when_none_waits() -> None:
    clock, user = _Clock(), ["a"]
    flight = _in_flight(clock, user)
    assert flight.horizon() == 100.0
    flight.began()  # a at 100.0
    clock.now, user[0] = 100.5, "b"
    flight.began()  # b at 100.5
    clock.now = 101.0
    assert flight.horizon() == 100.0
    user[0] = "a"
    flight.recorded()
    assert flight.horizon() == 100.5
    user[0] = "b"
    flight.recorded()
    assert flight.horizon() == 101.0


def test_a_request_made_inside_anothers_block_is_recorded_first() -> None:
    # catch_response: the outer request's event fires when its block ends, after the inner one's.
    clock, user = _Clock(), ["a"]
    flight = _in_flight(clock, user)
    flight.began()  # outer at 100.0
    clock.now = 100.2
    flight.began()  # inner at 100.2
    flight.recorded()  # the inner one
    clock.now = 100.4
    assert flight.horizon() == 100.0, "the outer one, still open, holds the horizon"
    flight.recorded()
    assert flight.horizon() == 100.4


def test_a_request_never_recorded_is_forgotten_after_the_timeout() -> None:
    clock, user = _Clock(), ["a"]
    flight = _in_flight(clock, user)
    flight.began()  # raised before locust recorded it
    clock.now = 101.5
    assert flight.horizon() == 100.0
    clock.now = 105.0
    assert flight.horizon() == 103.0  # no request waits longer than the timeout


def test_it_is_replaced_whole_and_read_back(tmp_path: pathlib.Path) -> None:
    assert horizon.read(tmp_path) is None
    horizon.write(tmp_path, 12345.678)
    horizon.write(tmp_path, 12346.5)
    assert horizon.read(tmp_path) == 12346.5
    assert sorted(p.name for p in tmp_path.iterdir()) == [horizon.HORIZON_FILE]
