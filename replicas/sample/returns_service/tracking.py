"""The driver-tracking WebSocket service the guide's status check names ("websockets").

Customers watching a pickup hold a WebSocket on /ws/drivers; the worker pushes
every driver's position to each of them a few times a second. It runs as its own
worker (`python -m returns_service.tracking`, the `tracking` service of the
sample's `realtime` profile), so that killing it takes the live map away and
nothing else: the HTTP service keeps answering and says "degraded".

Plain HTTP GET /health answers on the same port (the app's health and the
restart procedure ask it). SIGTERM is the guide's cleanup: every client gets a
close frame (1001, going away) before the worker exits.
"""

from __future__ import annotations

import json
import math
import os
import signal
import threading
import time
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

PATH = "/ws/drivers"
PORT = int(os.environ.get("TRACKING_PORT", "8765"))
PUSH_EVERY_S = float(os.environ.get("TRACKING_PUSH_MS", "250")) / 1000.0
DRIVERS = 3


class Clients:
    """The connections held now, for the health answer and the graceful close."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[ServerConnection] = set()
        self.served = 0

    def add(self, connection: ServerConnection) -> None:
        with self._lock:
            self._open.add(connection)
            self.served += 1

    def remove(self, connection: ServerConnection) -> None:
        with self._lock:
            self._open.discard(connection)

    def count(self) -> int:
        with self._lock:
            return len(self._open)

    def close_all(self) -> None:
        with self._lock:
            held = list(self._open)
        for connection in held:
            connection.close(1001, "tracking service restarting")


CLIENTS = Clients()
STARTED = time.monotonic()


def position(driver: int, seq: int) -> dict[str, Any]:
    """A driver going round a block near the depot: moving, so every update differs."""
    angle = (seq * 0.05 + driver) % (2 * math.pi)
    lat, lon = 52.37 + 0.01 * math.sin(angle), 4.89 + 0.01 * math.cos(angle)
    return {"driver": driver, "lat": round(lat, 6), "lon": round(lon, 6)}


def track(connection: ServerConnection) -> None:
    if connection.request is None or connection.request.path != PATH:
        connection.close(1008, f"unknown path; the tracking stream is {PATH}")
        return
    CLIENTS.add(connection)
    seq = 0
    try:
        while True:
            seq += 1
            update = {"seq": seq, "positions": [position(d, seq) for d in range(1, DRIVERS + 1)]}
            connection.send(json.dumps(update))
            time.sleep(PUSH_EVERY_S)
    except ConnectionClosed:
        pass
    finally:
        CLIENTS.remove(connection)


def health(connection: ServerConnection, request: Request) -> Response | None:
    """Plain HTTP on the WebSocket's port: /health answers, the stream's path upgrades."""
    if request.path == "/health":
        body = {"status": "ok", "connections": CLIENTS.count(), "served": CLIENTS.served,
                "uptime_s": round(time.monotonic() - STARTED, 1)}  # fmt: skip
        answer = connection.respond(HTTPStatus.OK, json.dumps(body) + "\n")
        answer.headers["Content-Type"] = "application/json"
        return answer
    if request.path != PATH:
        return connection.respond(HTTPStatus.NOT_FOUND, f"the tracking stream is {PATH}\n")
    return None


def main() -> None:
    with serve(track, "0.0.0.0", PORT, process_request=health, compression=None) as server:

        def graceful(_signum: int, _frame: object) -> None:
            threading.Thread(target=_shut, args=(server,), daemon=True).start()

        signal.signal(signal.SIGTERM, graceful)
        print(f"tracking: serving {PATH} on :{PORT}", flush=True)
        server.serve_forever()


def _shut(server: Server) -> None:
    CLIENTS.close_all()
    server.shutdown()


if __name__ == "__main__":
    main()
