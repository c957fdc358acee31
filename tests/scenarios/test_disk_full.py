"""The disk-full drill: a file fills the database's own small filesystem; found, deleted, restarted."""

from __future__ import annotations

import json
import pathlib
import subprocess

import pytest

from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import ExitCode
from drillbook.replicas import disks
from tests.conftest import CATALOG

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]


def _loop_devices_of(drill_id: str) -> str:
    listing = subprocess.run(["losetup", "--list", "--noheadings"], capture_output=True, text=True, check=False)
    return "\n".join(line for line in listing.stdout.splitlines() if drill_id in line)


def test_the_file_is_found_deleted_and_no_acknowledged_write_is_lost(tmp_path: pathlib.Path) -> None:
    runner = DrillRunner(spec.load(CATALOG / "disk-full.yaml"), tmp_path / "out")
    result = runner.run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", result.error
    assert {"high_error_rate", "health_check_fail", "database_down"} & {a["rule"] for a in doc["alerts"]}
    fault = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and e["detail"].startswith("injected"))
    free_kib = int(fault.split("'pgdata': ")[1].split(" KiB free")[0])
    assert free_kib < 64  # the volume really was full, and only the volume: it is 128 MiB
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert "100% used" in steps["find what fills the disk"]["detail"]
    assert "nightly-dump.sql" in steps["find what fills the disk"]["detail"]
    assert steps["delete them"]["detail"].startswith("deleted 1 file(s): nightly-dump.sql")
    assert steps["wait for PostgreSQL"]["ok"]
    assert doc["measurements"]["acked_writes"] > 0 and doc["measurements"]["lost_writes"] == 0
    # The filesystem's loop device and file went with the volume.
    assert not list(disks.folder().glob(f"drillbook-{doc['drill_id']}-*"))
    assert _loop_devices_of(doc["drill_id"]) == ""


def test_a_file_larger_than_the_volume_is_refused_before_anything_starts(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spec.write_variant(
        CATALOG / "disk-full.yaml", tmp_path, "too-big", scenario={"name": "disk_full", "with": {"size_mb": 512}}
    )
    code = main(["run", str(path), "--out", str(tmp_path / "out")])
    assert code == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "would write 512 MiB into volume 'pgdata'" in err and "which is 128 MiB" in err
    assert not (tmp_path / "out" / "result.json").exists()  # nothing ran, nothing half-written
