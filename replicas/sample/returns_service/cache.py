"""The Redis cache the guide's status check names, in front of the drivers list.

Optional: without CACHE_URL the service reads the database as before. With it,
the active drivers are read through Redis; while Redis is down the service
computes them from the database every time (CACHE_MISS_MS of work a hit saves),
slower but answering, and its health says "degraded". A failed call keeps the
cache marked down for a second, so that requests do not each wait for Redis's
timeout; the next call after that tries again.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

TTL_S = 5
KEY = "drivers:active"
RETRY_S = 1.0


class Cache:
    def __init__(self, url: str | None) -> None:
        self.url = url
        self.miss_cost_s = float(os.environ.get("CACHE_MISS_MS", "40")) / 1000.0
        self._client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2) if url else None
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self._client is not None

    def status(self) -> str:
        """`ok`, `down` or `off` (no cache configured); asks Redis when it is not known down."""
        if self._client is None:
            return "off"
        if time.monotonic() < self._down_until:
            return "down"
        try:
            self._client.ping()
        except redis.RedisError:
            self._mark_down()
            return "down"
        return "ok"

    def read_through(self, compute: Callable[[], Any]) -> Any:
        """The cached value, or `compute()` (stored again when Redis answers)."""
        if self._client is None:
            return compute()
        if time.monotonic() >= self._down_until:
            try:
                cached = self._client.get(KEY)
                if cached is not None:
                    self.hits += 1
                    return json.loads(cached)
                value = self._expensive(compute)
                self._client.set(KEY, json.dumps(value, default=str), ex=TTL_S)
                return value
            except redis.RedisError:
                self._mark_down()
        return self._expensive(compute)

    def clear(self) -> int:
        """The runbook's "clear application caches": every key of the service's database."""
        if self._client is None:
            return 0
        try:
            keys = int(self._client.dbsize())
            self._client.flushdb()
        except redis.RedisError:
            self._mark_down()
            return 0
        with self._lock:
            self._down_until = 0.0
        return keys

    def _expensive(self, compute: Callable[[], Any]) -> Any:
        self.misses += 1
        time.sleep(self.miss_cost_s)  # the work a hit saves: what makes a cache outage slow
        return compute()

    def _mark_down(self) -> None:
        with self._lock:
            self._down_until = time.monotonic() + RETRY_S
