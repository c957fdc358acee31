"""The network-partition drill: the database cut off the replica's network, reconnected."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import CATALOG

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]


def test_the_partition_is_found_and_mended(tmp_path: pathlib.Path) -> None:
    code = main(["run", str(CATALOG / "network-partition.yaml"), "--out", str(tmp_path)])
    doc = json.loads((tmp_path / "result.json").read_text())
    assert code == ExitCode.OK, doc.get("error") or doc["checks"]
    assert "database_down" in {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert steps["find the partition"]["detail"].endswith(": db")
    assert steps["reconnect"]["ok"] and steps["reset application connections"]["ok"]
    assert doc["measurements"]["downtime_s"] > 0 and doc["measurements"]["lost_writes"] == 0
