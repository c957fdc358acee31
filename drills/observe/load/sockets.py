"""The load's WebSocket clients: users who hold a live stream open, not ones who send requests.

A real-time service fails differently from an HTTP one: its clients are
connected, and what they see of an outage is a stream that goes quiet or
closes, then how long until they are connected again. Each client here holds
one connection, counts it dead when it closes or stays silent for `silence_s`,
and reconnects at once and then every `retry_s`, as a browser's reconnecting
socket does. Every change (open, closed) is one JSON line, flushed as it
happens, on the same monotonic clock as the requests.

Runs inside the load process, after gevent's patching: websocket-client's
blocking sockets are gevent's there, so a hundred clients are a hundred
greenlets. Nothing here is imported by the harness but the record's parser.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

SOCKETS_FILE = "sockets.jsonl"


@dataclass(frozen=True)
class SocketEvent:
    """One client's connection opened or closed (`why` says how it ended)."""

    client: int
    kind: str
    """`open`, `closed` (lost), or `stopped` (closed by the client because the load ended)."""
    at: float
    why: str = ""


def parse_event(row: dict[str, Any]) -> SocketEvent:
    return SocketEvent(int(row["c"]), str(row["k"]), float(row["t"]), str(row.get("why", "")))


class SocketLog:
    """The append-only record the harness tails."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, client: int, kind: str, why: str = "") -> None:
        self._out.write(json.dumps({"c": client, "k": kind, "t": time.monotonic(), "why": why[:200]}) + "\n")

    def close(self) -> None:
        self._out.close()


def hold(
    url: str,
    client: int,
    log: SocketLog,
    stopped: Callable[[], bool],
    wait: Callable[[float], object],
    silence_s: float,
    retry_s: float = 0.1,
) -> None:
    """One client, until `stopped()`: connect, read the stream, record every change."""
    import websocket  # websocket-client; imported here, after gevent's patching

    while not stopped():
        try:
            connection = websocket.create_connection(url, timeout=silence_s, enable_multithread=False)
        except (OSError, websocket.WebSocketException):
            wait(retry_s)
            continue
        log.write(client, "open")
        why = ""
        try:
            while not stopped():
                if connection.recv() in ("", b""):
                    why = "closed by the server"
                    break
        except websocket.WebSocketTimeoutException:
            why = f"silent for {silence_s:g} s"
        except websocket.WebSocketConnectionClosedException:
            why = "closed by the server"
        except (OSError, websocket.WebSocketException) as exc:
            why = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close(timeout=0.2)
            connection.shutdown()  # type: ignore[no-untyped-call]  # close() skips the socket when the server's close frame came first
        log.write(client, "closed" if why else "stopped", why)
        if not stopped():
            wait(retry_s)
