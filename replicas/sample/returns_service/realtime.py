"""The app's view of the driver-tracking WebSocket worker, for its health answer.

Optional: without TRACKING_URL (the sample without its `realtime` profile) the
status is "off" and nothing is asked. With it, the worker's /health is asked at
most once per CHECK_EVERY_S: the health endpoint is probed several times a
second and must not wait on a dead worker's timeout each time.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

CHECK_EVERY_S = 0.2
TIMEOUT_S = 0.3


class Tracking:
    def __init__(self, url: str | None) -> None:
        self.url = url.rstrip("/") if url else None
        self._lock = threading.Lock()
        self._known = "off" if url is None else "unknown"
        self._at = float("-inf")

    def status(self) -> str:
        """`ok`, `down` or `off`."""
        if self.url is None:
            return "off"
        with self._lock:
            if time.monotonic() - self._at < CHECK_EVERY_S:
                return self._known
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=TIMEOUT_S) as answer:
                    self._known = "ok" if answer.status == 200 else "down"
            except (urllib.error.URLError, OSError, TimeoutError):
                self._known = "down"
            self._at = time.monotonic()
            return self._known
