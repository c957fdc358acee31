"""The runbook's five verification checks, judged on constructed samples."""

from __future__ import annotations

from typing import Literal

from drillbook.drills.judge import verification
from drillbook.drills.observe.samples import Sample


def _samples(start: float, end: float, *, fail: frozenset[str] = frozenset(), slow_ms: float = 10.0) -> list[Sample]:
    out = []
    t = start
    while t < end:
        kinds: tuple[tuple[Literal["probe", "load"], str], ...] = (
            ("probe", "health"),
            ("probe", "orders"),
            ("load", "create order"),
        )
        for source, name in kinds:
            latency = slow_ms / 1000 if source == "load" else 0.005
            out.append(Sample(source, name, t, t + latency, name not in fail, 500 if name in fail else 200, None))
        t += 0.5
    return out


def _check(
    samples: list[Sample], *, firing: list[str] | None = None, metrics: str | None = "HTTP 200"
) -> dict[str, verification.Item]:
    items = verification.checklist(
        samples,
        verification.window(10.0, 5.0, 4.0, 20.0),
        health_probe="health",
        key_flows=["orders"],
        write_flows=["create order"],
        metrics_status=metrics,
        max_error_rate=0.01,
        max_mean_latency_ms=500,
        alerts_since=lambda _since: firing or [],
    )
    return {i.name: i for i in items}


def test_a_clean_recovery_passes_all_five_with_evidence() -> None:
    items = _check(_samples(10.0, 20.0))
    assert list(items) == [
        "Health checks pass",
        "Key user flows work",
        "Performance metrics normal",
        "Error rates back to normal",
        "No alerts firing",
    ]
    assert all(i.passed for i in items.values())
    assert (
        items["Health checks pass"].evidence
        == "20 of 20 health probes succeeded from the recovery to the end of observation"
    )
    assert items["Key user flows work"].evidence == "orders: 20/20; create order: 20/20"


def test_each_check_fails_on_its_own_evidence() -> None:
    items = _check(
        _samples(10.0, 20.0, fail=frozenset({"orders", "create order"}), slow_ms=900), firing=["high_error_rate"]
    )
    assert items["Health checks pass"].passed
    assert not items["Key user flows work"].passed
    assert not items["Performance metrics normal"].passed and "900 ms" in items["Performance metrics normal"].evidence
    assert not items["Error rates back to normal"].passed
    assert not items["No alerts firing"].passed and "high_error_rate" in items["No alerts firing"].evidence


def test_metrics_endpoint_down_after_recovery_is_not_normal() -> None:
    assert not _check(_samples(10.0, 20.0), metrics="unreachable")["Performance metrics normal"].passed


def test_never_recovered_leaves_nothing_to_pass() -> None:
    span = verification.window(None, 5.0, 4.0, 20.0)
    assert span.start == span.end == 20.0
