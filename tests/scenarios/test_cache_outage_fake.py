"""cache_outage on the fake: the cache killed, and started again at revert unless it runs."""

from __future__ import annotations

from collections.abc import Callable

from drillbook.scenarios import cache_outage
from tests.fakes import FakeReplica, did


def test_the_cache_is_killed_and_started_again_at_revert(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("cache-outage")
    with cache_outage.inject(fake) as fault:
        assert fake.states["cache"] == "exited" and did(fake, "kill cache")
    assert fake.states["cache"] == "running" and "started the cache 'cache' again" in str(fault.revert_detail)


def test_a_cache_the_procedure_started_is_left_alone(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("cache-outage")
    with cache_outage.inject(fake) as fault:
        fake.start_service("cache")
    assert fault.revert_detail is None and len(did(fake, "start cache")) == 1
