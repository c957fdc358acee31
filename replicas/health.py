"""Whether the service answers as its users need: the health endpoint and every key flow.

The runbook's "verify" of every procedure, and a declared step's `wait`.
"""

from __future__ import annotations

import time

from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.replicas.protocols import Addresses
from drillbook.replicas.target import Flow


def verify_flows(replica: Addresses, timeout_s: float) -> str:
    """Wait until the health endpoint and every key flow answer 2xx, each with its own method and body."""
    import httpx  # here: a declared step's check before the drill loads no HTTP client

    target = replica.target
    flows = [Flow("health", target.health), *target.key_flows]
    deadline = time.monotonic() + timeout_s
    failing: dict[str, str] = {}
    with httpx.Client(base_url=replica.url(), timeout=2.0) as client:
        while True:
            failing = {}
            for flow in flows:
                headers = {"Content-Type": "application/json"} if flow.body is not None else None
                try:
                    response = client.request(flow.method, flow.path, content=flow.body, headers=headers)
                    if not response.is_success:
                        failing[f"{flow.method} {flow.path}"] = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    failing[f"{flow.method} {flow.path}"] = type(exc).__name__
            if not failing:
                return f"health and {len(flows) - 1} key flows answer"
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    detail = ", ".join(f"{p}: {r}" for p, r in failing.items())
    raise StepFailed(f"still failing after {timeout_s:g} s: {detail}")
