"""The crash-loop drill: a configuration commit the service cannot start with, reverted."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from drillbook.scenarios import crash_loop
from tests.conftest import catalog_drill
from tests.fakes import FakeReplica, did


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_crash_loop_is_rolled_back_by_a_revert_commit(tmp_path: pathlib.Path) -> None:
    code = main(["run", str(catalog_drill("crash-loop", tmp_path / "drill")), "--out", str(tmp_path)])
    doc = json.loads((tmp_path / "result.json").read_text())
    assert code == ExitCode.OK, doc.get("error") or doc["checks"]
    injected = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and "injected" in e["detail"])
    assert "DB_POOL_SIZE=ten" in injected and "restarted" in injected and "restarted 0 time" not in injected
    assert "health_check_fail" in {a["rule"] for a in doc["alerts"]}
    messages = [c["message"] for c in doc["git_log"]]
    assert "configure app: DB_POOL_SIZE" in messages
    assert any(m.startswith('Revert "configure app: DB_POOL_SIZE') for m in messages)
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert steps["memory stays flat"]["detail"].startswith("skipped")
    assert doc["measurements"]["lost_writes"] == 0


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_the_bad_configuration_is_committed_and_reverted(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("crash-loop")
    fake.restarts["app"] = 2  # the engine restarted the crashing container twice already
    before = fake.desired.head()
    with crash_loop.inject(fake) as fault:
        assert fake.desired_states()["app"].env["DB_POOL_SIZE"] == "ten"
        assert fake.applied["app"].env["DB_POOL_SIZE"] == "ten"
        assert "restarted 2 time(s)" in fault.description and fault.began is not None
    assert "DB_POOL_SIZE" not in fake.desired_states()["app"].env
    assert did(fake, "revert") and fake.desired.head().sha != before.sha  # a revert commit, history kept
