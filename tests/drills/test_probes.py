"""The probe loop against a real HTTP server on loopback that freezes and thaws."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from drills.probes import Probe, ProbeRunner

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
    assert failed and all(s.error == "ReadTimeout" for s in failed)
    # Every probe that started after the first failure ended started right at an end of one
    # before it, well inside an interval, or on its own tick while slots were free.
    made_up = [s for s in samples if any(0 <= s.start - f.end < 0.3 * INTERVAL_S for f in failed if f is not s)]
    assert made_up, [(round(s.start, 3), round(s.end, 3), s.ok) for s in samples]
    assert any(s.ok for s in samples), "once thawed, probes answer"
