"""Scenario parameters refused before anything starts (no Docker)."""

from __future__ import annotations

import pytest

from drillbook.drills import spec
from drillbook.errors import PluginError
from drillbook.scenarios import REGISTRY
from tests.conftest import CATALOG


def test_a_slow_database_needs_a_latency_it_can_make() -> None:
    target = spec.load(CATALOG / "slow-database.yaml").target
    REGISTRY.get("slow_database").check(target, latency_ms=800)
    with pytest.raises(PluginError, match="`jitter_ms` between 0 and latency_ms"):
        REGISTRY.get("slow_database").check(target, latency_ms=100, jitter_ms=500)


@pytest.mark.parametrize(
    ("scenario", "params", "says"),
    [
        ("lock_contention", {"table": "orders; DROP TABLE orders"}, "plain table name"),
        ("lock_contention", {"holder": "drillbook-x"}, "does not start with 'drillbook'"),
        ("runaway_process", {"processes": 0}, "1 to 256 processes"),
        ("runaway_process", {"name": "x; rm -rf /"}, "lowercase letters"),
        ("runaway_process", {"service": "cache"}, "does not have"),
        ("network_partition", {"service": "cache"}, "does not have"),
        ("crash_loop", {"service": "db"}, "restart policy"),
        ("crash_loop", {"env": {}}, "at least one variable"),
        ("connection_exhaustion", {"connections": 0}, "between 1 and"),
        ("connection_exhaustion", {"role": "returns"}, "not the administrator's"),
        ("connection_exhaustion", {"role": "Batch-Job"}, "plain role name"),
        ("connection_exhaustion", {"holder": "drillbook-leak"}, "does not start with 'drillbook'"),
        ("connection_exhaustion", {"wait_s": 0}, "positive `wait_s`"),
        ("slow_database", {}, "Add `fault_proxy: {service: db}`"),
        ("disk_full", {}, "has no size of its own"),
        ("disk_full", {"volume": "logs"}, "which mounts pgdata"),
        ("disk_full", {"service": "cache"}, "does not have"),
        ("payment_outage", {"lasts_s": 0}, "between 1 and 3600"),
        ("payment_outage", {"service": "stripe"}, "does not have"),
    ],
)
def test_bad_parameters_are_refused(scenario: str, params: dict[str, object], says: str) -> None:
    target = spec.load(CATALOG / "crash-loop.yaml").target  # the sample stack, its app with a restart policy
    with pytest.raises(PluginError, match=says):
        REGISTRY.get(scenario).check(target, **params)
