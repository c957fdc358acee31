"""The slow-database drill, and the fault proxy's three faults against a real service."""

from __future__ import annotations

import json
import pathlib
import re
import secrets
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from docker import DockerClient

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import PluginError
from drillbook.replicas import proxy
from drillbook.replicas.replica import Replica
from drillbook.replicas.target import Target
from drillbook.scenarios import slow_database
from tests.conftest import catalog_drill, why
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_latency_on_the_path_fires_response_time_slow_and_is_found_and_removed(tmp_path: pathlib.Path) -> None:
    result = DrillRunner(spec.load(catalog_drill("slow-database", tmp_path)), tmp_path / "out").run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    assert "response_time_slow" in {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    found = steps["find the slow hop"]["detail"]
    assert "the path to it is +800 ms on every answer" in found
    at_db = float(found.split("SELECT 1 at db itself: ")[1].split(" ms")[0])
    assert at_db < 800  # the database itself is fast: the latency is on the path
    assert "passing traffic untouched" in steps["remove the fault"]["detail"]
    assert doc["measurements"]["lost_writes"] == 0


@pytest.fixture
def proxied(docker_client: DockerClient, sample_target: Target) -> Iterator[Replica]:
    with Replica(docker_client, proxy.fronted(sample_target, "db"), f"test-{secrets.token_hex(4)}") as running:
        yield running


def _health(replica: Replica) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        code = str(httpx.get(replica.url() + replica.target.health, timeout=10.0).status_code)
    except httpx.HTTPError as exc:
        code = type(exc).__name__
    return code, time.perf_counter() - started


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_proxy_black_holes_resets_and_recovers(proxied: Replica) -> None:
    control = proxied.url("db-proxy")
    assert _health(proxied)[0] == "200"  # the service reaches its database through the proxy
    proxy.set_fault(control, "timeout")
    code, took = _health(proxied)
    assert code == "503" and took >= 1.0  # held until the service's 1 s deadline
    proxy.set_fault(control, "reset")
    proxied_state = httpx.get(f"{control}/faults").json()
    assert proxied_state["mode"] == "reset"
    code, _ = _health(proxied)
    assert code == "503"
    assert httpx.get(f"{control}/faults").json()["reset"] >= 1  # connections really were reset
    proxy.set_fault(control, "pass")
    deadline = time.monotonic() + 20
    while _health(proxied)[0] != "200":
        assert time.monotonic() < deadline, "the service did not recover once the path was clear"
        time.sleep(0.2)
    refused = httpx.post(f"{control}/faults", json={"mode": "flood"})
    assert refused.status_code == 400 and "mode must be one of" in refused.json()["error"]


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_a_drill_without_a_fault_proxy_is_refused(fake: FakeReplica) -> None:
    with pytest.raises(PluginError, match=re.escape("Add `fault_proxy: {service: db}`")):
        slow_database.check(fake.target)


def test_the_proxy_is_set_and_put_back_to_pass(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("slow-database")
    front = next(s.name for s in fake.target.services if s.name.endswith("proxy"))
    control = fake.add_app(front)
    control.answer("POST", "/faults", 200, lambda sent: sent)  # the proxy answers with its new state
    with slow_database.inject(fake, latency_ms=800) as fault:
        assert control.seen[-1][:2] == ("POST", "/faults") and b'"latency_ms":800' in control.seen[-1][2]
        assert fault.description.endswith("is +800 ms on every answer")
    assert fault.revert_detail == "the fault proxy is passing traffic untouched"
