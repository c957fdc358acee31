"""The stream's figures from the clients' records: disconnections after the fault only,
each to its reconnection or the end of observation."""

from __future__ import annotations

from drillbook.drills.judge import streams
from drillbook.drills.observe.load.sockets import SocketEvent


def ev(client: int, kind: str, at: float, why: str = "") -> SocketEvent:
    return SocketEvent(client, kind, at, why)


def test_every_client_lost_at_the_fault_and_back() -> None:
    events = [
        ev(0, "open", 1.0), ev(1, "open", 1.1),
        ev(0, "closed", 10.2, "closed by the server"), ev(1, "closed", 10.3, "closed by the server"),
        ev(0, "open", 13.2), ev(1, "open", 14.3),
        ev(0, "stopped", 30.0), ev(1, "stopped", 30.0),
    ]  # fmt: skip
    f = streams.judge(events, "/ws", 2, injected_at=10.0, observed_until=30.0)
    assert (f.connected_at_injection, f.disconnected, f.reconnected) == (2, 2, 2)
    assert f.longest_s == 4.0 and f.mean_s == 3.5
    assert (f.first_lost_at, f.last_back_at) == (10.2, 14.3) and f.all_back
    assert f.connected == ((1.0, 1), (1.1, 2), (10.2, 1), (10.3, 0), (13.2, 1), (14.3, 2))  # the load's end left out


def test_a_client_that_never_came_back_counts_to_the_end() -> None:
    events = [ev(0, "open", 1.0), ev(1, "open", 1.0), ev(0, "closed", 11.0, "silent for 1 s"), ev(1, "closed", 11.0)]
    events.append(ev(1, "open", 12.0))
    f = streams.judge(events, "/ws", 2, injected_at=10.0, observed_until=20.0)
    assert (f.disconnected, f.reconnected, f.all_back) == (2, 1, False)
    assert f.longest_s == 9.0 and f.last_back_at is None  # not every client came back
    assert f.disconnections[0].why == "silent for 1 s"


def test_churn_before_the_fault_and_the_load_stopping_are_not_disconnections() -> None:
    events = [ev(0, "open", 1.0), ev(0, "closed", 2.0), ev(0, "open", 2.2), ev(0, "stopped", 20.0)]
    f = streams.judge(events, "/ws", 1, injected_at=10.0, observed_until=25.0)
    assert (f.connected_at_injection, f.disconnected, f.longest_s) == (1, 0, None)


def test_two_drops_of_one_client_add_up() -> None:
    events = [ev(0, "open", 1.0), ev(0, "closed", 10.0), ev(0, "open", 11.0), ev(0, "closed", 12.0)]
    events.append(ev(0, "open", 14.0))
    f = streams.judge(events, "/ws", 1, injected_at=9.0, observed_until=20.0)
    assert (f.disconnected, f.reconnected, f.longest_s, len(f.disconnections)) == (1, 1, 3.0, 2)


def test_a_stream_never_held_shows_no_client_at_the_fault() -> None:
    f = streams.judge([], "/ws", 4, injected_at=10.0, observed_until=20.0)
    assert (f.connected_at_injection, f.disconnected) == (0, 0)


def test_events_after_observation_ended_are_not_read() -> None:
    events = [ev(0, "open", 1.0), ev(0, "closed", 10.0), ev(0, "open", 25.0)]
    f = streams.judge(events, "/ws", 1, injected_at=9.0, observed_until=20.0)
    assert (f.reconnected, f.longest_s) == (0, 10.0)
