"""restart_cache's steps on the fake: the cache started, the caches cleared, warmed until ok."""

from __future__ import annotations

from collections.abc import Callable

from drillbook.recovery.restart_cache import CLEAR_PATH, PROCEDURE
from tests.fakes import FakeReplica, did, run_steps


def test_a_dead_cache_is_started_cleared_and_warmed(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("cache-outage")
    fake.kill("cache")
    fake.app.answer("POST", CLEAR_PATH, 200, {"cleared_entries": 0, "cleared_cache_keys": 3})
    fake.app.answer("GET", "/api/health", 200, {"status": "ok", "cache": "ok"})
    ran = run_steps(PROCEDURE, fake)
    assert [(r.step, r.ok) for r in ran] == [
        ("start the cache", True),
        ("clear application caches", True),
        ("warm the caches", True),
        ("verify", True),
    ]
    assert did(fake, "start cache") and "cleared_cache_keys" in ran[1].detail
    asked = [path for method, path, _ in fake.app.seen if method == "GET"]
    assert "/api/drivers/active" in asked  # the key flows warmed the cache


def test_a_service_that_stays_degraded_fails_the_warm_up(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("cache-outage")
    fake.app.answer("POST", CLEAR_PATH, 200, {})
    fake.app.answer("GET", "/api/health", 200, {"status": "degraded", "cache": "down"})
    ran = run_steps(PROCEDURE, fake, {"verify_timeout_s": 0.5})
    assert did(fake, "restart cache")  # a running cache is restarted
    assert (ran[-1].step, ran[-1].ok) == ("warm the caches", False)
    assert "still says degraded" in ran[-1].detail


def test_a_refused_cache_clear_stops_the_procedure(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("cache-outage")
    fake.app.answer("POST", CLEAR_PATH, 500, {"error": "boom"})
    ran = run_steps(PROCEDURE, fake)
    assert (ran[-1].step, ran[-1].ok) == ("clear application caches", False) and "HTTP 500" in ran[-1].detail
