"""The built-in memory-leak drill: a flag's leak, caught by memory or by the OOM killer,
rolled back by reverting the flag's commit."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from drillbook.scenarios import memory_leak
from tests.conftest import catalog_drill
from tests.fakes import FakeReplica, did


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_memory_leak_is_rolled_back_by_configuration(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out"
    code = main(["run", str(catalog_drill("memory-leak", tmp_path)), "--out", str(out)])
    result = json.loads((out / "result.json").read_text())
    m = result["measurements"]
    memory = [row for row in result["samples"]["memory"] if row[0] == "app"]
    after_fault = [row[2] / row[3] for row in memory if row[1] >= m["injected_at"]]
    oom = [e for e in result["timeline"] if e["kind"] == "oom"]

    # The leak was real: memory from the engine's cgroup climbed to the limit.
    assert max(after_fault) > 0.9
    fired = {a["rule"] for a in result["alerts"]}
    assert "memory_exhaustion" in fired or (oom and "health_check_fail" in fired), (fired, oom)

    # The flag's commit was reverted, and memory stayed flat afterwards.
    messages = [c["message"] for c in result["git_log"]]
    assert "enable leaky_cache on app" in messages
    assert any(msg.startswith('Revert "enable leaky_cache on app"') for msg in messages)
    steps = {s["name"]: s for s in result["recovery_steps"]}
    assert steps["memory stays flat"]["ok"], steps["memory stays flat"]
    recovered = m["recovered_at"]
    assert recovered is not None
    settled = [row[2] / row[3] for row in memory if row[1] > recovered + 1]
    assert settled and max(settled) < 0.5

    assert m["lost_writes"] == 0
    print(
        f"memory leak: peak {max(after_fault):.0%}, alerts {sorted(fired)}, OOM {bool(oom)}, "
        f"flag revert to memory flat {result['figures']['revert_commit_to_memory_flat_s']:.2f} s"
    )
    assert all(o["met"] for o in result["objectives"]) and code == ExitCode.OK


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_the_flag_is_switched_on_by_a_commit_and_off_by_its_revert(fake: FakeReplica) -> None:
    with memory_leak.inject(fake, flag="leaky_cache") as fault:
        assert fake.applied["app"].flags["leaky_cache"] is True
        assert "leaky_cache" in fault.description and "commit" in fault.description
    assert not fake.desired_states()["app"].flags.get("leaky_cache")
    assert did(fake, "reconcile app") == ["reconcile app", "reconcile app"]  # on, then off
