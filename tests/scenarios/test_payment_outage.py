"""The payment-outage drill: down until the fallback, degraded until the queue is completed."""

from __future__ import annotations

import json
import pathlib
import re
import time
from collections.abc import Callable

import psycopg
import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.timeline import Event
from drillbook.errors import PluginError
from drillbook.scenarios import payment_outage
from tests.conftest import catalog_drill, why
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_fallback_takes_orders_and_the_queue_is_completed_when_the_provider_returns(
    tmp_path: pathlib.Path,
) -> None:
    left: dict[str, int] = {}

    def count_orders(event: Event) -> None:
        """Before teardown: what the database says about the orders taken during the outage."""
        if (event.kind, event.detail) != ("phase", "measuring") or runner.replica is None:
            return
        with psycopg.connect(runner.replica.db_conninfo(), autocommit=True) as conn:
            for status, n in conn.execute("SELECT status, count(*) FROM orders GROUP BY 1").fetchall():
                left[str(status)] = int(n)
            row = conn.execute("SELECT count(*) FROM payment_queue").fetchone()
            left["in queue"] = int(row[0]) if row else -1

    runner = DrillRunner(spec.load(catalog_drill("payment-outage", tmp_path)), tmp_path / "out", count_orders)
    result = runner.run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    assert "high_error_rate" in {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert "failing: HTTP 503" in steps["confirm the provider is failing"]["detail"]
    completed = int(
        re.findall(r"(\d+) queued payment\(s\) completed", steps["complete the queued payments"]["detail"])[0]
    )
    assert completed > 0 and "none left" in steps["complete the queued payments"]["detail"]
    # Down only until the fallback; degraded from the fault until the queue was completed.
    m = doc["measurements"]
    assert m["degraded_s"] > m["downtime_s"] > 0
    assert "ran degraded" in (tmp_path / "out" / "summary.md").read_text()
    assert any(e["detail"].startswith("ended by itself") for e in doc["timeline"] if e["kind"] == "fault")
    # Every order taken during the outage was paid in the end, none is left queued.
    assert left["in queue"] == 0 and left.get("payment_queued", 0) == 0 and left["paid"] >= completed
    assert m["lost_writes"] == 0


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_the_provider_fails_and_comes_back_by_itself(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("payment-outage")
    provider = fake.add_app("payments")
    with payment_outage.inject(fake, mode="hang", lasts_s=1.0) as fault:
        assert provider.seen[-1][:2] == ("POST", "/admin/mode") and b'"hang"' in provider.seen[-1][2]
        deadline = time.monotonic() + 5
        while not fault.reverted and time.monotonic() < deadline:
            time.sleep(0.05)
        while len(provider.seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fault.reverted  # the provider came back on its own, the fault's lasts_s later
    assert len(provider.seen) == 2 and b'"ok"' in provider.seen[-1][2]


def test_a_provider_without_the_stub_is_refused_with_the_reason(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("payment-outage")
    fake.add_app("payments").answer("POST", "/admin/mode", 404)
    with pytest.raises(PluginError, match=r"refused mode 'error' \(HTTP 404\)"), payment_outage.inject(fake):
        pass
