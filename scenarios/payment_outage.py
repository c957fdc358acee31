"""Payment provider outage: the provider the service charges orders at fails.

The sample's provider is a stub in its own container; the fault is a command
to it: `error` answers every charge with a 503, `hang` answers nothing (the
service gives up after its payment timeout). The provider is someone else's:
nobody on call can fix it, so it comes back by itself after `lasts_s`, and
revert brings it back at the latest.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import httpx

from drillbook.errors import PluginError
from drillbook.replicas import loopback
from drillbook.replicas.protocols import Addresses
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service

Mode = Literal["error", "hang"]


def check(target: Target, mode: Mode = "error", lasts_s: float = 30.0, service: str = "payments") -> None:
    named_service(target, "payment_outage", service, "payments")
    if not 1 <= lasts_s <= 3600:
        raise PluginError(f"The scenario 'payment_outage' needs `lasts_s` between 1 and 3600 s; {lasts_s!r} is not.")


def _set_mode(url: str, mode: str) -> None:
    try:
        response = loopback.post(f"{url}/admin/mode", json={"mode": mode}, timeout=5.0)
    except httpx.HTTPError as exc:
        raise PluginError(f"The payment provider at {url} did not take mode {mode!r}: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise PluginError(
            f"The payment provider at {url} refused mode {mode!r} (HTTP {response.status_code}): the scenario "
            "needs drillbook's provider stub (POST /admin/mode), as in the sample target."
        )


@contextmanager
def inject(
    replica: Addresses, mode: Mode = "error", lasts_s: float = 30.0, service: str = "payments"
) -> Iterator[Fault]:
    check(replica.target, mode, lasts_s, service)
    url = replica.url(service)
    back = threading.Event()

    def revert() -> str | None:
        back.set()
        with contextlib.suppress(PluginError):
            _set_mode(url, "ok")
            return f"the payment provider {service!r} answers again"
        return None

    fault = Fault(f"the payment provider {service!r} fails ({mode}) for {lasts_s:g} s", revert)
    try:
        _set_mode(url, mode)
        fault.began = time.monotonic()

        def comes_back() -> None:
            if not back.wait(lasts_s):
                fault.revert()

        threading.Thread(target=comes_back, name="drillbook-provider-back", daemon=True).start()
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name="payment_outage",
    description="The payment provider answers 5xx or nothing for a while, then comes back by itself.",
    expected_alerts=("high_error_rate",),
    expected_recovery="payment_fallback",
    rehearses=("payment-processing-down", "stripe-down", "non-critical-integrations-failing"),
    steps=(
        "check that the target has the provider's service",
        "tell the provider stub to fail every charge (503) or to hang",
        "orders are refused with a 502 until the fallback is on; the provider returns after lasts_s",
    ),
    inject=inject,
    check=check,
)
