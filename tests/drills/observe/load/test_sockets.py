"""A load's WebSocket client against a real WebSocket server (the `websockets` library):
every open and close recorded, a dead or silent stream reconnected, the load's end apart."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from drillbook.drills.observe.load.sockets import SocketEvent, SocketLog, hold, parse_event


@dataclass
class Stream:
    """A stream that pushes every 50 ms, or stays silent, and can drop every client."""

    silent: bool = False
    held: list[ServerConnection] = field(default_factory=list)
    server: Server | None = None

    def handler(self, connection: ServerConnection) -> None:
        self.held.append(connection)
        try:
            while True:
                if not self.silent:
                    connection.send("{}")
                with contextlib.suppress(TimeoutError):
                    connection.recv(timeout=0.05)  # a pause that sees the client leave
        except ConnectionClosed:
            pass

    def drop_all(self) -> None:
        """Drop every client, once the server's handler holds one: the client logs its open
        when the handshake ends, which can be before the server's thread has run the handler
        (a busy machine once dropped nothing, and no close was seen)."""
        deadline = time.monotonic() + 5.0
        while not self.held and time.monotonic() < deadline:
            time.sleep(0.01)
        for connection in list(self.held):
            connection.close(1001, "going away")
        self.held.clear()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/ws"


@pytest.fixture
def stream() -> Iterator[Stream]:
    made = Stream()
    with serve(made.handler, "127.0.0.1", 0) as server:
        made.server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield made
        server.shutdown()


class Client:
    def __init__(self, url: str, silence_s: float = 0.3) -> None:
        self.out = io.StringIO()
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=hold, args=(url, 0, SocketLog(self.out), self.stop.is_set, self.stop.wait, silence_s, 0.05)
        )
        self.thread.start()

    def events(self) -> list[SocketEvent]:
        return [parse_event(json.loads(line)) for line in self.out.getvalue().splitlines()]

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[SocketEvent]:
        deadline = time.monotonic() + timeout_s
        while len(self.events()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events()

    def end(self) -> list[SocketEvent]:
        self.stop.set()
        self.thread.join(timeout=5.0)
        return self.events()


def test_a_dropped_stream_is_recorded_and_reconnected(stream: Stream) -> None:
    client = Client(stream.url)
    assert [e.kind for e in client.wait_for(1)] == ["open"]
    stream.drop_all()
    events = client.wait_for(3)
    assert [e.kind for e in events[:3]] == ["open", "closed", "open"] and events[1].why == "closed by the server"
    assert events[0].at < events[1].at < events[2].at
    assert client.end()[-1].kind == "stopped"


def test_a_silent_stream_counts_as_dead(stream: Stream) -> None:
    stream.silent = True
    client = Client(stream.url, silence_s=0.3)
    events = client.wait_for(2)
    assert [e.kind for e in events[:2]] == ["open", "closed"] and events[1].why == "silent for 0.3 s"
    assert events[1].at - events[0].at >= 0.3
    client.end()


def test_nothing_listening_records_nothing_until_it_answers() -> None:
    client = Client("ws://127.0.0.1:9/ws")  # the discard port: nothing listens
    time.sleep(0.3)
    assert client.end() == []
