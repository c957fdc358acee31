"""HTTP endpoints, shaped like the runbook's API."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from psycopg.rows import dict_row

from returns_service.cache import Cache
from returns_service.db import Database, DatabaseUnavailable
from returns_service.payments import PaymentFailed, Payments
from returns_service.realtime import Tracking

VERSION = os.environ.get("SERVICE_VERSION", "dev")
STARTED = time.monotonic()
# A release built with a defect on purpose: its code expects a column the schema
# does not have, so order creation fails with a 500 after the deploy.
ORDERS_ADDRESS_COLUMN = "pickup_addr" if os.environ.get("RELEASE_DEFECT") == "orders-column" else "pickup_address"
KNOWN_FLAGS = ("leaky_cache", "payment_fallback")
LEAK_BYTES = int(os.environ.get("LEAK_KB", "256")) * 1024


class Flags:
    """Feature flags from the environment (FEATURE_<NAME>=on|off), switchable at run time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.values = {
            name: os.environ.get(f"FEATURE_{name.upper()}", "off").lower() in ("on", "true", "1")
            for name in KNOWN_FLAGS
        }

    def on(self, name: str) -> bool:
        return self.values.get(name, False)

    def set(self, name: str, value: bool) -> None:
        if name not in self.values:
            raise BadRequest(f"unknown feature {name!r}; known: {', '.join(self.values)}")
        with self._lock:
            self.values[name] = value


class LeakyCache:
    """The `leaky_cache` flag's code path: it keeps a copy of every response and
    never evicts. The runbook's cache-clear endpoint empties it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.entries: list[bytes] = []

    def keep(self) -> None:
        block = b"\x5a" * LEAK_BYTES  # written, so the memory is really committed
        with self._lock:
            self.entries.append(block)

    def clear(self) -> int:
        with self._lock:
            freed = len(self.entries)
            self.entries = []
        return freed


class Maintenance:
    """The runbook's read-only mode: reads are served, writes refused with a 503."""

    read_only = False


# The service's own Prometheus metrics on /metrics (the team-style rules of the monitored
# catalog drills read them): requests by status code, and their latency.
REQUESTS = Counter("returns_http_requests", "HTTP requests answered, by status code", ["code"])
LATENCY = Histogram("returns_http_request_duration_seconds", "time to answer an HTTP request")


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self.total_ms = 0.0

    def record(self, status: int, elapsed_ms: float) -> None:
        with self._lock:
            self.requests += 1
            self.errors += status >= 500
            self.total_ms += elapsed_ms
        REQUESTS.labels(code=str(status)).inc()
        LATENCY.observe(elapsed_ms / 1000.0)


class BadRequest(Exception):
    pass


def _rows(conn: psycopg.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql, args)
        return [dict(r) for r in cur.fetchall()]


def _set_status(conn: psycopg.Connection, order_id: int, status: str) -> None:
    conn.execute("UPDATE orders SET status = %s WHERE id = %s", (status, order_id))
    conn.commit()


def _queue_payment(conn: psycopg.Connection, order_id: int) -> None:
    conn.execute("UPDATE orders SET status = 'payment_queued' WHERE id = %s", (order_id,))
    conn.execute("INSERT INTO payment_queue (order_id) VALUES (%s) ON CONFLICT DO NOTHING", (order_id,))
    conn.commit()


class Handler(BaseHTTPRequestHandler):
    db: Database
    metrics: Metrics
    flags: Flags
    cache: LeakyCache
    redis: Cache
    tracking: Tracking
    payments: Payments
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a drill sends thousands of requests; errors are logged on their own."""

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/metrics":
            self._exposition()
            return
        self._dispatch("GET")

    def _exposition(self) -> None:
        payload = generate_latest()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        started = time.monotonic()
        path = self.path.split("?", 1)[0]
        status = HTTPStatus.NOT_FOUND
        body: Any = {"error": f"no route for {method} {path}"}
        try:
            for route_method, pattern, handler in ROUTES:
                match = pattern.fullmatch(path)
                if route_method == method and match:
                    status, body = handler(self, *match.groups())
                    break
        except DatabaseUnavailable as exc:
            status, body = HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(exc)}
        except BadRequest as exc:
            status, body = HTTPStatus.BAD_REQUEST, {"error": str(exc)}
        except Exception as exc:  # the service must answer, whatever broke
            status, body = HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{type(exc).__name__}: {exc}"}
        if self.flags.on("leaky_cache"):
            self.cache.keep()
        payload = json.dumps(body, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.metrics.record(int(status), (time.monotonic() - started) * 1000)

    def json_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError as exc:
            raise BadRequest(f"body is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise BadRequest("body must be a JSON object")
        return data

    # --- routes -----------------------------------------------------------

    def health(self) -> tuple[HTTPStatus, Any]:
        try:
            self.db.run(lambda conn: conn.execute("SELECT 1").fetchone())
        except DatabaseUnavailable as exc:
            return HTTPStatus.SERVICE_UNAVAILABLE, {
                "status": "unavailable",
                "reason": str(exc),
                "version": VERSION,
            }
        payments = self.payments.status()
        # Degraded: the service answers, but a part of it is failing or running on its fallback.
        degraded = self.payments.enabled and (payments["provider"] != "ok" or payments.get("queued") != 0)
        cache = self.redis.status()
        websockets = self.tracking.status()
        degraded = degraded or cache == "down" or websockets == "down"
        return HTTPStatus.OK, {
            "status": "degraded" if degraded or Maintenance.read_only else "ok",
            "mode": "read-only" if Maintenance.read_only else "read-write",
            "database": "ok",
            "cache": cache,
            "websockets": websockets,
            "payments": payments,
            "version": VERSION,
            "features": self.flags.values,
        }

    def create_order(self) -> tuple[HTTPStatus, Any]:
        if Maintenance.read_only:
            return HTTPStatus.SERVICE_UNAVAILABLE, {"error": "read-only maintenance: orders cannot be created now"}
        data = self.json_body()
        try:
            customer = str(data["customer"])
            address = str(data["pickup_address"])
            items = int(data["items"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BadRequest("order needs customer, pickup_address and items") from exc
        if items <= 0:
            raise BadRequest("items must be positive")

        def insert(conn: psycopg.Connection) -> int:
            row = conn.execute(
                f"INSERT INTO orders (customer, {ORDERS_ADDRESS_COLUMN}, items) VALUES (%s, %s, %s) RETURNING id",
                (customer, address, items),
            ).fetchone()
            conn.commit()
            assert row is not None
            return int(row[0])

        order_id = self.db.run(insert)
        if not self.payments.enabled:
            return HTTPStatus.CREATED, {"id": order_id, "status": "pending"}
        fallback = self.flags.on("payment_fallback")
        if not (fallback and self.payments.recently_failed()):
            try:
                self.payments.charge(order_id, items)
            except PaymentFailed as exc:
                if not fallback:
                    self.db.run(lambda conn: _set_status(conn, order_id, "payment_failed"))
                    return HTTPStatus.BAD_GATEWAY, {"error": f"payment provider unavailable: {exc}"}
            else:
                self.db.run(lambda conn: _set_status(conn, order_id, "paid"))
                return HTTPStatus.CREATED, {"id": order_id, "status": "paid"}
        self.db.run(lambda conn: _queue_payment(conn, order_id))
        return HTTPStatus.CREATED, {"id": order_id, "status": "payment_queued"}

    def get_order(self, order_id: str) -> tuple[HTTPStatus, Any]:
        rows = self.db.run(lambda conn: _rows(conn, "SELECT * FROM orders WHERE id = %s", int(order_id)))
        if not rows:
            return HTTPStatus.NOT_FOUND, {"error": f"no order {order_id}"}
        return HTTPStatus.OK, rows[0]

    def list_orders(self) -> tuple[HTTPStatus, Any]:
        rows = self.db.run(lambda conn: _rows(conn, "SELECT * FROM orders ORDER BY id DESC LIMIT 20"))
        return HTTPStatus.OK, {"orders": rows}

    def active_drivers(self) -> tuple[HTTPStatus, Any]:
        rows = self.redis.read_through(
            lambda: self.db.run(lambda conn: _rows(conn, "SELECT id, name FROM drivers WHERE active ORDER BY id"))
        )
        return HTTPStatus.OK, {"drivers": rows}

    def monitoring_metrics(self) -> tuple[HTTPStatus, Any]:
        m = self.metrics
        return HTTPStatus.OK, {
            "version": VERSION,
            "uptime_s": round(time.monotonic() - STARTED, 3),
            "requests": m.requests,
            "errors_5xx": m.errors,
            "mean_response_ms": round(m.total_ms / m.requests, 3) if m.requests else 0.0,
            "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "cache_entries": len(self.cache.entries),
            "pool": self.db.stats(),
            "payments": self.payments.status(),
        }

    def features(self) -> tuple[HTTPStatus, Any]:
        return HTTPStatus.OK, {"features": self.flags.values}

    def disable_feature(self) -> tuple[HTTPStatus, Any]:
        self.flags.set(str(self.json_body().get("feature", "")), False)
        return HTTPStatus.OK, {"features": self.flags.values}

    def enable_feature(self) -> tuple[HTTPStatus, Any]:
        self.flags.set(str(self.json_body().get("feature", "")), True)
        return HTTPStatus.OK, {"features": self.flags.values}

    def clear_cache(self) -> tuple[HTTPStatus, Any]:
        return HTTPStatus.OK, {"cleared_entries": self.cache.clear(), "cleared_cache_keys": self.redis.clear()}

    def readonly(self) -> tuple[HTTPStatus, Any]:
        Maintenance.read_only = True
        return HTTPStatus.OK, {"mode": "read-only"}

    def readwrite(self) -> tuple[HTTPStatus, Any]:
        Maintenance.read_only = False
        return HTTPStatus.OK, {"mode": "read-write"}

    def reset_pool(self) -> tuple[HTTPStatus, Any]:
        self.db.reset()
        return HTTPStatus.OK, {"pool": "reset"}


Route = tuple[str, "re.Pattern[str]", Callable[..., tuple[HTTPStatus, Any]]]
ROUTES: list[Route] = [
    ("GET", re.compile(r"/api/health"), Handler.health),
    ("POST", re.compile(r"/api/orders"), Handler.create_order),
    ("GET", re.compile(r"/api/orders/(\d+)"), Handler.get_order),
    ("GET", re.compile(r"/api/user/orders"), Handler.list_orders),
    ("GET", re.compile(r"/api/drivers/active"), Handler.active_drivers),
    ("GET", re.compile(r"/api/admin/monitoring/metrics"), Handler.monitoring_metrics),
    ("POST", re.compile(r"/api/admin/db/reset-pool"), Handler.reset_pool),
    ("GET", re.compile(r"/api/admin/features"), Handler.features),
    ("POST", re.compile(r"/api/admin/features/disable"), Handler.disable_feature),
    ("POST", re.compile(r"/api/admin/features/enable"), Handler.enable_feature),
    ("POST", re.compile(r"/api/admin/cache/clear"), Handler.clear_cache),
    ("POST", re.compile(r"/api/admin/maintenance/readonly"), Handler.readonly),
    ("POST", re.compile(r"/api/admin/maintenance/readwrite"), Handler.readwrite),
]


def main() -> None:
    url = os.environ["DATABASE_URL"]
    port = int(os.environ.get("PORT", "8080"))
    db = Database(url, pool_size=int(os.environ.get("DB_POOL_SIZE", "10")))
    db.open()
    Handler.db = db
    Handler.metrics = Metrics()
    Handler.flags = Flags()
    Handler.cache = LeakyCache()
    Handler.redis = Cache(os.environ.get("CACHE_URL") or None)
    Handler.tracking = Tracking(os.environ.get("TRACKING_URL") or None)
    Handler.payments = Payments(db)
    if Handler.payments.enabled:
        threading.Thread(target=Handler.payments.drain_forever, name="payment-queue", daemon=True).start()
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    # As PID 1 in its container the process ignores SIGTERM unless it handles it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"returns-service {VERSION} listening on :{port}", flush=True)
    server.serve_forever()
