"""The webhook sink: Alertmanager's receiver in the replica, in place of the team's.

Every notification Alertmanager delivers is kept with the time it arrived;
`GET /deliveries` returns them all, for drillbook to read on 127.0.0.1. Stdlib
only: it runs in Debian's python3.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOCK = threading.Lock()
DELIVERIES: list[dict[str, Any]] = []


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self._answer(400, {"error": "not JSON"})
            return
        with LOCK:
            DELIVERIES.append({"received_at": time.time(), "receiver": self.path.strip("/"), "payload": payload})
        self._answer(200, {"ok": True})

    def do_GET(self) -> None:
        if self.path == "/-/ready":
            self._answer(200, {"ready": True})
            return
        with LOCK:
            self._answer(200, list(DELIVERIES))

    def _answer(self, status: int, document: object) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
