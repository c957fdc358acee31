"""The cache-outage drill: the service degrades (slower, "degraded"), never fails, and the
cache comes back cleared and warm."""

from __future__ import annotations

import json
import pathlib

import httpx
import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.timeline import Event
from drillbook.errors import PluginError
from drillbook.scenarios import cache_outage
from tests.conftest import CATALOG, catalog_drill, why


@pytest.mark.docker
@pytest.mark.quiet
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_dead_cache_degrades_the_service_without_taking_it_down(tmp_path: pathlib.Path) -> None:
    said: list[str] = []

    def health_during_the_outage(event: Event) -> None:
        """Right after the kill, what the service says about itself."""
        if event.kind == "fault" and event.detail.startswith("injected") and runner.replica is not None:
            for _ in range(20):
                answer = httpx.get(runner.replica.url() + "/api/health", timeout=2.0).json()
                said.append(str(answer.get("cache")) + "/" + str(answer.get("status")))
                if said[-1] == "down/degraded":
                    break

    runner = DrillRunner(spec.load(catalog_drill("cache-outage", tmp_path)), tmp_path / "out", health_during_the_outage)
    result = runner.run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    assert said and said[-1] == "down/degraded", said
    m = doc["measurements"]
    assert m["downtime_s"] == 0.0 and m["degraded_s"] > 1.0 and m["lost_writes"] == 0
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert "cleared_cache_keys" in steps["clear application caches"]["detail"]
    assert steps["warm the caches"]["detail"].endswith("health says ok")
    assert "ran degraded" in (tmp_path / "out" / "summary.md").read_text()


def test_a_target_without_the_cache_is_refused_before_anything_starts() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    with pytest.raises(PluginError, match=r"'cache_outage' names service 'cache', which the target does not have"):
        cache_outage.check(target)
