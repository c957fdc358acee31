"""The balancer on local servers: connections in turn, a refusing upstream skipped, a connection
closed when its upstream leaves the list."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from drillbook.replicas.cluster import ingress


class Named(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = str(self.server.server_address).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[list[http.server.ThreadingHTTPServer]]:
    made = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), Named) for _ in range(2)]
    for server in made:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield made
    for server in made:
        server.shutdown()
        server.server_close()


def who(port: int, n: int) -> list[str]:
    return [httpx.get(f"http://127.0.0.1:{port}/", timeout=2).text for _ in range(n)]


def test_connections_go_to_each_upstream_in_turn_and_skip_one_that_refuses(
    servers: list[http.server.ThreadingHTTPServer],
) -> None:
    addresses = [("127.0.0.1", s.server_address[1]) for s in servers]
    with ingress.Balancer(lambda: list(addresses)) as balancer:
        answers = who(balancer.port, 6)
        assert len(set(answers)) == 2 and answers[0::2] == [answers[0]] * 3
        gone = str(servers[0].server_address)
        servers[0].shutdown()
        servers[0].server_close()
        assert gone not in who(balancer.port, 6)  # still listed (not yet followed), refused, skipped


def test_with_no_upstream_the_client_is_closed_and_a_new_list_is_followed() -> None:
    listed: list[ingress.Address] = []
    with ingress.Balancer(lambda: list(listed), refresh_s=0.05) as balancer:
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{balancer.port}/", timeout=2)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Named)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            listed.append(("127.0.0.1", server.server_address[1]))
            threading.Event().wait(0.3)
            assert httpx.get(f"http://127.0.0.1:{balancer.port}/", timeout=2).status_code == 200
        finally:
            server.shutdown()
            server.server_close()


def test_an_upstream_that_failed_is_passed_over_until_its_time_is_up(
    servers: list[http.server.ThreadingHTTPServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses = [("127.0.0.1", s.server_address[1]) for s in servers]
    dead = addresses[0]
    servers[0].shutdown()
    servers[0].server_close()
    tries: list[object] = []
    real = socket.create_connection

    def counted(address: ingress.Address, *args: Any, **kwargs: Any) -> socket.socket:
        tries.append(address)  # the balancer's connections, and the test's own to the balancer
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", counted)
    now = [0.0]  # the balancer's clock, moved by the test: four requests on a busy machine once took 0.5 s
    with ingress.Balancer(lambda: list(addresses), refresh_s=60, fail_s=0.5, clock=lambda: now[0]) as balancer:
        who(balancer.port, 4)
        assert tries.count(dead) == 1  # refused once, then passed over
        now[0] += 0.6
        who(balancer.port, 2)
        assert tries.count(dead) == 2  # its time up: tried again


def test_a_kept_connection_is_closed_once_its_upstream_leaves_the_list() -> None:
    holder = socket.create_server(("127.0.0.1", 0))  # answers each connection once, then holds it open
    held: list[socket.socket] = []

    def hold() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = holder.accept()
                conn.recv(1024)
                conn.sendall(b"hello")
                held.append(conn)

    threading.Thread(target=hold, daemon=True).start()
    listed = [("127.0.0.1", holder.getsockname()[1])]
    try:
        with ingress.Balancer(lambda: list(listed), refresh_s=0.05) as balancer:
            kept = socket.create_connection(("127.0.0.1", balancer.port), timeout=2)
            kept.sendall(b"hi")
            assert kept.recv(1024) == b"hello"  # relayed, and the upstream keeps the connection open
            threading.Event().wait(0.3)
            kept.settimeout(0.1)
            with pytest.raises(TimeoutError):
                kept.recv(1024)  # still open while its upstream is listed
            listed.clear()  # the swarm no longer routes to it
            kept.settimeout(2)
            assert kept.recv(1024) == b""  # the balancer closed it
            kept.close()
    finally:
        holder.close()
        for conn in held:
            conn.close()
