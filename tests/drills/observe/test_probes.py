"""The probe loop against a real HTTP server on loopback that freezes and thaws."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from drillbook.drills.observe.probes import Probe, ProbeRunner

INTERVAL_S = 0.1
TIMEOUT_S = 0.45  # more than three intervals, and not a multiple of one: the slots fill


class _Frozen(http.server.BaseHTTPRequestHandler):
    thawed = threading.Event()

    def do_GET(self) -> None:
        self.thawed.wait(5)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def frozen_server() -> Iterator[str]:
    _Frozen.thawed.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Frozen)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/health"
    _Frozen.thawed.set()
    server.shutdown()


def test_a_tick_skipped_by_hung_probes_is_made_up_when_one_ends(frozen_server: str) -> None:
    """Three hung probes fill their slots; when the first times out, the owed one starts then,
    not at the following tick: the first answer after a thaw is not an interval late."""
    runner = ProbeRunner((Probe("health", "http", frozen_server),), INTERVAL_S, TIMEOUT_S, time.monotonic)
    with runner:
        time.sleep(12 * INTERVAL_S)
        _Frozen.thawed.set()
        time.sleep(2 * INTERVAL_S)
    samples = sorted(runner.samples, key=lambda s: s.start)
    failed = [s for s in samples if not s.ok]
    assert failed and all(s.error == f"timed out after {TIMEOUT_S:g} s" for s in failed)
    # Every probe that started after the first failure ended started right at an end of one
    # before it, well inside an interval, or on its own tick while slots were free.
    made_up = [s for s in samples if any(0 <= s.start - f.end < 0.3 * INTERVAL_S for f in failed if f is not s)]
    assert made_up, [(round(s.start, 3), round(s.end, 3), s.ok) for s in samples]
    assert any(s.ok for s in samples), "once thawed, probes answer"


class _Search(http.server.BaseHTTPRequestHandler):
    """A search that answers only a POST with a JSON body, as the tracker's does."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(405)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ok = self.headers.get("Content-Type") == "application/json" and body == b'{"q":1}'
        self._answer(200 if ok else 400)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def _until_sampled(runner: ProbeRunner, *names: str) -> None:
    """Until each named probe has a few samples (a loaded machine may start the probes' thread
    late: a fixed sleep once ended before the first probe began)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(sum(s.name == name for s in runner.samples) < 3 for name in names):
        time.sleep(INTERVAL_S)


def test_a_probe_sends_its_flows_method_and_body_and_says_why_it_failed() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Search)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search"
    probes = (Probe("post", "http", url, "POST", '{"q":1}'), Probe("get", "http", url))
    try:
        with ProbeRunner(probes, INTERVAL_S, TIMEOUT_S, time.monotonic) as runner:
            _until_sampled(runner, "post", "get")
    finally:
        server.shutdown()
    posts = [s for s in runner.samples if s.name == "post"]
    gets = [s for s in runner.samples if s.name == "get"]
    assert posts and all(s.ok and s.status == 200 for s in posts)
    assert gets and all(not s.ok and s.error == "HTTP 405" for s in gets)


def test_a_refused_connection_is_said_so() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with ProbeRunner(
            (Probe("health", "http", f"http://127.0.0.1:{port}/"),), INTERVAL_S, TIMEOUT_S, time.monotonic
        ) as runner:
            _until_sampled(runner, "health")
    assert runner.samples and all(s.error == "connection refused" for s in runner.samples)


def test_a_connection_closed_without_an_answer_is_said_so() -> None:
    """A listener that takes each connection and closes it unanswered, as a crashing service
    behind a proxy does: not a refusal, not a timeout."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.settimeout(0.1)
        stop = threading.Event()

        def hang_up() -> None:
            while not stop.is_set():
                try:
                    conn, _ = sock.accept()
                except TimeoutError:
                    continue
                conn.close()

        closer = threading.Thread(target=hang_up, daemon=True)
        closer.start()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        with ProbeRunner((Probe("health", "http", url),), INTERVAL_S, TIMEOUT_S, time.monotonic) as runner:
            _until_sampled(runner, "health")
        stop.set()
        closer.join()
    assert runner.samples and all(s.error == "connection closed without an answer" for s in runner.samples)


def test_the_horizon_is_the_oldest_waiting_probe_and_every_sample_before_it_is_in(frozen_server: str) -> None:
    runner = ProbeRunner((Probe("health", "http", frozen_server),), INTERVAL_S, 5.0, time.monotonic)
    with runner:
        time.sleep(5 * INTERVAL_S)
        frozen_at = time.monotonic()
        held = runner.horizon()
        assert frozen_at - held >= 4 * INTERVAL_S, "the first probe still waits: the horizon holds at its start"
        assert not [s for s in runner.samples if s.start < held], "none had ended"
        _Frozen.thawed.set()
        deadline = time.monotonic() + 5
        while runner.horizon() == held and time.monotonic() < deadline:
            time.sleep(0.01)
        moved = runner.horizon()
        assert [s for s in runner.samples if s.start == held], "the probe that held it is in once it moved"
        assert moved > held
