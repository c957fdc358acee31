"""A stand-in for the payment provider, in its own container: charges succeed until
told otherwise. `POST /admin/mode {"mode": "ok" | "error" | "hang"}` switches it:
`error` answers 503, `hang` answers nothing for a minute. Drills use the admin
endpoint through its published port on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("ok", "error", "hang")


class State:
    mode = "ok"
    charges = 0
    refused = 0
    lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per charge would drown the container's log."""

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> dict[str, Any]:
        data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        return data if isinstance(data, dict) else {}

    def do_GET(self) -> None:
        if self.path in ("/health", "/admin/mode"):
            self._answer(HTTPStatus.OK, {"mode": State.mode, "charges": State.charges, "refused": State.refused})
        else:
            self._answer(HTTPStatus.NOT_FOUND, {"error": "no such path"})

    def do_POST(self) -> None:
        if self.path == "/admin/mode":
            mode = str(self._body().get("mode", ""))
            if mode not in MODES:
                self._answer(HTTPStatus.BAD_REQUEST, {"error": f"mode must be one of {', '.join(MODES)}"})
                return
            State.mode = mode
            self._answer(HTTPStatus.OK, {"mode": mode})
        elif self.path == "/charges":
            self._body()
            if State.mode == "hang":
                time.sleep(60)
            if State.mode != "ok":
                with State.lock:
                    State.refused += 1
                self._answer(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "provider unavailable"})
                return
            with State.lock:
                State.charges += 1
            self._answer(HTTPStatus.CREATED, {"charge": State.charges, "status": "succeeded"})
        else:
            self._answer(HTTPStatus.NOT_FOUND, {"error": "no such path"})


def main() -> None:
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8090"))), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("payment-provider stub listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
