"""restart_websocket's steps on the fake: cleanup by the worker's state, a fresh start, and
the stream read as a client reads it (a real WebSocket server stands in for the worker)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from drillbook.recovery.restart_websocket import PROCEDURE
from tests.fakes import FakeReplica, did, run_steps


def pushes(connection: ServerConnection) -> None:
    try:
        connection.send('{"seq": 1}')
        connection.recv(timeout=5)
    except (ConnectionClosed, TimeoutError):
        pass


@pytest.fixture
def worker() -> Iterator[int]:
    """A WebSocket server that pushes one update to each client: the worker, once started."""
    with serve(pushes, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield int(server.socket.getsockname()[1])
        server.shutdown()


def test_a_dead_worker_is_started_and_its_stream_read(fake_of: Callable[[str], FakeReplica], worker: int) -> None:
    fake = fake_of("websocket-outage")
    fake.kill("tracking")
    fake.ports["tracking"] = worker
    fake.app.answer("GET", "/api/health", 200, {"status": "ok", "websockets": "ok"})
    ran = run_steps(PROCEDURE, fake)
    assert [(r.step, r.ok) for r in ran] == [
        ("clean up the old service", True),
        ("start a new service", True),
        ("see the stream flow", True),
        ("verify", True),
    ]
    assert "nothing to close" in ran[0].detail and not did(fake, "stop tracking")
    assert did(fake, "start tracking") and "pushed an update" in ran[2].detail


def test_a_hung_worker_is_stopped_gracefully_first(fake_of: Callable[[str], FakeReplica], worker: int) -> None:
    fake = fake_of("websocket-outage")
    fake.ports["tracking"] = worker
    fake.app.answer("GET", "/api/health", 200, {"status": "ok"})
    ran = run_steps(PROCEDURE, fake)
    assert "stopped gracefully" in ran[0].detail and did(fake, "stop tracking") and ran[-1].ok


def test_a_stream_that_pushes_nothing_fails_the_procedure(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("websocket-outage")  # the tracking port is closed: no stream
    ran = run_steps(PROCEDURE, fake, {"verify_timeout_s": 0.5})
    assert (ran[-1].step, ran[-1].ok) == ("see the stream flow", False)
    assert "the stream pushed nothing" in ran[-1].detail


def test_a_service_that_stays_degraded_fails_the_check(fake_of: Callable[[str], FakeReplica], worker: int) -> None:
    fake = fake_of("websocket-outage")
    fake.ports["tracking"] = worker
    fake.app.answer("GET", "/api/health", 200, {"status": "degraded", "websockets": "down"})
    ran = run_steps(PROCEDURE, fake, {"verify_timeout_s": 0.5})
    assert (ran[-1].step, ran[-1].ok) == ("see the stream flow", False)
    assert "still says degraded" in ran[-1].detail
