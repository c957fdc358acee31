"""HTTP from the harness to a replica's ports on 127.0.0.1, through one client.

`httpx.get()` builds a client for every call, and with it an SSL context that loads the CA
bundle: 29 ms of CPU each time, paid by every readiness poll, diagnostics snapshot, monitoring
poll and procedure's request. One client, built at the first call, pays it once. It keeps no
connection alive, so every request opens its own as `httpx.get()` did: a service restarted under
a drill never meets a kept-alive connection from its previous life. httpx's client is safe to
share between threads. httpx itself is imported at the first request: what only names a
replica's URLs (a drill file's check) loads no HTTP client.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


@functools.cache
def client() -> httpx.Client:
    import httpx

    return httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))


def get(url: str, **options: Any) -> httpx.Response:
    return client().get(url, **options)


def post(url: str, **options: Any) -> httpx.Response:
    return client().post(url, **options)


def request(method: str, url: str, **options: Any) -> httpx.Response:
    return client().request(method, url, **options)
