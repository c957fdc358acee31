"""The harness's one HTTP client: built once, and a new connection for every request."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from drillbook.replicas import loopback


class _Counting(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # would keep the connection open for a client that asked
    peers: ClassVar[list[tuple[str, int]]] = []

    def do_GET(self) -> None:
        self.peers.append(self.client_address)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Counting.peers = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_one_client_for_every_call() -> None:
    assert loopback.client() is loopback.client()


def test_every_request_opens_its_own_connection(server: str) -> None:
    answers = [loopback.get(server, timeout=2.0) for _ in range(3)]
    assert [a.text for a in answers] == ["ok"] * 3
    assert len(set(_Counting.peers)) == 3, "no kept-alive connection carried a second request"
