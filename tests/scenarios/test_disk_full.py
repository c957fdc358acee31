"""The disk-full drill: a file fills the database's own small filesystem; found, deleted, restarted."""

from __future__ import annotations

import json
import pathlib
import subprocess
from collections.abc import Callable

import pytest

from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import ExitCode, PluginError
from drillbook.replicas import disks
from drillbook.scenarios import disk_full as disk_full_scenario
from tests.conftest import CATALOG, catalog_drill, why
from tests.fakes import FakeReplica


def _loop_devices_of(drill_id: str) -> str:
    listing = subprocess.run(["losetup", "--list", "--noheadings"], capture_output=True, text=True, check=False)
    return "\n".join(line for line in listing.stdout.splitlines() if drill_id in line)


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_file_is_found_deleted_and_no_acknowledged_write_is_lost(tmp_path: pathlib.Path) -> None:
    runner = DrillRunner(spec.load(catalog_drill("disk-full", tmp_path)), tmp_path / "out")
    result = runner.run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
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


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
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


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_the_file_fills_the_volume_and_is_deleted_on_exit(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("disk-full")
    filled: list[str] = []

    def fill(_service: str, command: str) -> tuple[int, str]:
        filled.append(command)
        return 0, "Filesystem 1024-blocks Used Available Capacity\nx 65536 65536 0 100% /d"

    fake.on_exec(r"^sh -c \(dd ", fill)
    fake.on_exec(r"^test -e ", lambda _s, _c: (0, ""))
    with disk_full_scenario.inject(fake, size_mb=8) as fault:
        assert filled and "count=8" in filled[0] and "nightly-dump.sql" in filled[0]
    assert fault.revert_detail is not None and fault.revert_detail.startswith("deleted ")
    assert any(a.startswith("exec db rm -f ") for a in fake.actions)


def test_a_fill_larger_than_the_volume_is_refused_before_anything(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("disk-full")
    with pytest.raises(PluginError, match="give `size_mb` between 1 and"):
        disk_full_scenario.check(fake.target, size_mb=1_000_000)
    assert fake.actions == []
