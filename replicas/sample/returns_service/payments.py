"""Charging an order at the payment provider, and the runbook's fallback when it fails.

With `PAYMENT_URL` unset the service takes no payments (orders stay pending).
Otherwise each order is charged at once; when the provider fails (5xx, no
answer within `PAYMENT_TIMEOUT_S`), the order is refused with a 502, unless the
`payment_fallback` flag is on: then the order is accepted, its payment queued,
and a worker completes the queue when the provider answers again. While the
provider failed in the last few seconds, the fallback queues without calling
it, so users do not wait for a timeout on every order.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from returns_service.db import Database, DatabaseUnavailable

PAYMENT_URL = os.environ.get("PAYMENT_URL", "")
PAYMENT_TIMEOUT_S = float(os.environ.get("PAYMENT_TIMEOUT_S", "2"))
SKIP_AFTER_FAILURE_S = 5.0


class PaymentFailed(Exception):
    """The provider refused the charge or did not answer in time."""


class Payments:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.enabled = bool(PAYMENT_URL)
        self.last_failure: str | None = None
        self.last_failure_at = 0.0
        self.completed_from_queue = 0
        self._lock = threading.Lock()

    def charge(self, order_id: int, items: int) -> None:
        body = json.dumps({"order_id": order_id, "amount_cents": 499 * items}).encode()
        request = urllib.request.Request(
            PAYMENT_URL.rstrip("/") + "/charges", body, {"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=PAYMENT_TIMEOUT_S) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            self._failed(f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError) as exc:
            self._failed(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}")
        else:
            with self._lock:
                self.last_failure = None

    def _failed(self, reason: str) -> None:
        with self._lock:
            self.last_failure, self.last_failure_at = reason, time.monotonic()
        raise PaymentFailed(reason)

    def recently_failed(self) -> bool:
        return self.last_failure is not None and time.monotonic() - self.last_failure_at < SKIP_AFTER_FAILURE_S

    def queued(self) -> int:
        row = self.db.run(lambda conn: conn.execute("SELECT count(*) FROM payment_queue").fetchone())
        return int(row[0]) if row else 0

    def status(self) -> dict[str, Any]:
        if not self.enabled:
            return {"provider": "not configured"}
        try:
            queued: int | str = self.queued()
        except DatabaseUnavailable:
            queued = "unknown"
        return {
            "provider": f"failing: {self.last_failure}" if self.last_failure else "ok",
            "queued": queued,
            "completed_from_queue": self.completed_from_queue,
        }

    def drain_forever(self, interval_s: float = 1.0) -> None:
        """Complete queued payments, oldest first, while the provider answers."""
        while True:
            time.sleep(interval_s)
            try:
                self._drain()
            except (DatabaseUnavailable, PaymentFailed):
                continue

    def _drain(self) -> None:
        rows = self.db.run(
            lambda conn: conn.execute(
                "SELECT q.order_id, o.items FROM payment_queue q JOIN orders o ON o.id = q.order_id "
                "ORDER BY q.queued_at LIMIT 50"
            ).fetchall()
        )
        for order_id, items in rows:
            self.charge(int(order_id), int(items))

            def paid(conn: Any, order_id: int = int(order_id)) -> None:
                conn.execute("UPDATE orders SET status = 'paid' WHERE id = %s", (order_id,))
                conn.execute("DELETE FROM payment_queue WHERE order_id = %s", (order_id,))
                conn.commit()

            self.db.run(paid)
            with self._lock:
                self.completed_from_queue += 1
