"""The runaway-CPU drill: busy processes in the service's container, found by CPU time and killed."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import CATALOG

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]


def test_the_runaway_processes_are_found_and_killed(tmp_path: pathlib.Path) -> None:
    code = main(["run", str(CATALOG / "runaway-cpu.yaml"), "--out", str(tmp_path)])
    doc = json.loads((tmp_path / "result.json").read_text())
    assert code == ExitCode.OK, doc.get("error") or doc["checks"]
    assert {"high_error_rate", "health_check_fail", "response_time_slow"} & {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    found = steps["find the runaway process"]["detail"]
    assert "128 process(es)" in found and "busy-loop report-exporter" in found, found
    assert steps["kill it"]["detail"].startswith("killed 128 process(es)")
    assert doc["measurements"]["lost_writes"] == 0
