"""The crash-loop drill: a configuration commit the service cannot start with, reverted."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import CATALOG

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]


def test_the_crash_loop_is_rolled_back_by_a_revert_commit(tmp_path: pathlib.Path) -> None:
    code = main(["run", str(CATALOG / "crash-loop.yaml"), "--out", str(tmp_path)])
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
