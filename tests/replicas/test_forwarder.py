"""The rolling deploy's forwarder, on loopback: traffic moves to the new upstream without a failed request."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from drillbook.replicas.forwarder import Forwarder
from drillbook.replicas.ports import free_port


def server(name: str) -> http.server.ThreadingHTTPServer:
    class Named(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as locust and the probes use it

        def do_GET(self) -> None:
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    made = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Named)
    threading.Thread(target=made.serve_forever, daemon=True).start()
    return made


@pytest.fixture
def upstreams() -> Iterator[tuple[http.server.ThreadingHTTPServer, http.server.ThreadingHTTPServer]]:
    old, new = server("old"), server("new")
    yield old, new
    old.shutdown()
    new.shutdown()


def test_a_switch_moves_keep_alive_clients_to_the_new_upstream_without_a_failure(
    upstreams: tuple[http.server.ThreadingHTTPServer, http.server.ThreadingHTTPServer],
) -> None:
    old, new = upstreams
    forwarder = Forwarder(free_port(), old.server_address[1])
    forwarder.start()
    answers: list[list[str]] = [[], [], []]
    failures: list[str] = []
    stop = threading.Event()

    def client(seen: list[str]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{forwarder.listen_port}", timeout=2.0) as http_client:
            while not stop.is_set():
                try:
                    seen.append(http_client.get("/").text)
                except httpx.HTTPError as exc:
                    failures.append(type(exc).__name__)
                stop.wait(0.05)  # a user's think time: 20 requests a second, more than a drill's users make

    def every_client(answer: str) -> None:
        """Wait for each client's latest answer to come from `answer` (by events, not a fixed
        time: on a busy machine a client's thread may not have run at all within 0.3 s)."""
        deadline = time.monotonic() + 10
        while not all(seen and seen[-1] == answer for seen in answers) and time.monotonic() < deadline:
            stop.wait(0.01)

    threads = [threading.Thread(target=client, args=(seen,)) for seen in answers]
    for t in threads:
        t.start()
    try:
        every_client("old")
        busy = forwarder.switch(new.server_address[1])
        old.shutdown()
        old.server_close()  # the old container is gone: nothing may still depend on it
        every_client("new")
    finally:
        stop.set()
        for t in threads:
            t.join()
        forwarder.stop()
        forwarder.stop()  # idempotent
    assert busy == 0
    assert failures == []
    for seen in answers:  # each kept connection: the old upstream first, then the new one and only it
        assert seen[0] == "old" and seen[-1] == "new", seen
        assert "old" not in seen[seen.index("new") :]


def line_server(name: str) -> socket.socket:
    """A server of a protocol that is not HTTP: it answers each line with its name."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            while conn.recv(1024):
                conn.sendall(name.encode() + b"\n")

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                threading.Thread(target=serve, args=(listener.accept()[0],), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener


def test_a_connection_that_is_not_http_is_closed_at_the_switch_and_a_new_one_reaches_the_new_upstream() -> None:
    old, new = line_server("old"), line_server("new")
    forwarder = Forwarder(free_port(), old.getsockname()[1])
    forwarder.start()
    try:
        with socket.create_connection(("127.0.0.1", forwarder.listen_port), timeout=5) as kept:
            kept.sendall(b"hello\n")
            assert kept.recv(1024) == b"old\n"
            assert forwarder.switch(new.getsockname()[1]) == 0
            assert kept.recv(1024) == b"", "its state is the old upstream's: closed, not moved"
        with socket.create_connection(("127.0.0.1", forwarder.listen_port), timeout=5) as fresh:
            fresh.sendall(b"hello\n")
            assert fresh.recv(1024) == b"new\n"
    finally:
        forwarder.stop()
        old.close()
        new.close()
