"""Guard rails: the duration cap, drills side by side, the same verdict every time."""

from __future__ import annotations

import json
import pathlib

import pytest
from docker import DockerClient

from drillbook.drills.cli import main
from drillbook.drills.run.guards import require_loopback
from drillbook.errors import ExitCode, SpecError
from tests.conftest import CATALOG, CatalogRun, drill_file, drillbook_objects, spawn_drill


def test_loopback_targets_pass_and_others_need_both_keys() -> None:
    for target in (
        "http://127.0.0.1:8080/api/health",
        "http://localhost:1/",
        "http://[::1]:80/",
        "host=127.0.0.1 port=5432 dbname=x",
    ):
        require_loopback(target, in_spec=False, confirmed=False)
    with pytest.raises(SpecError, match="not a loopback address"):
        require_loopback("http://10.1.2.3:8080/", in_spec=False, confirmed=False)
    with pytest.raises(SpecError, match="confirm it on the command line with --allow-remote"):
        require_loopback("host=db.example.com dbname=x", in_spec=True, confirmed=False)
    with pytest.raises(SpecError):
        require_loopback("http://192.168.0.2/", in_spec=False, confirmed=True)
    require_loopback("http://192.168.0.2/", in_spec=True, confirmed=True)


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_drill_past_its_maximum_duration_aborts_and_tears_down(
    tmp_path: pathlib.Path, docker_client: DockerClient
) -> None:
    path = drill_file(tmp_path, "capped", phases={"steady_state_s": 2, "verify_window_s": 60, "max_duration_s": 14})
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result["verdict"] == "error"
    assert "maximum duration" in result["error"]
    assert result["timeline"][-1]["detail"] == "done"
    assert drillbook_objects(docker_client) == []


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_two_drills_at_once_do_not_collide(tmp_path: pathlib.Path) -> None:
    runs = []
    for name in ("left", "right"):
        out = tmp_path / name
        runs.append((out, spawn_drill(drill_file(tmp_path, name, phases={"steady_state_s": 3}), out)))
    for out, proc in runs:
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == ExitCode.OK, output
        result = json.loads((out / "result.json").read_text())
        assert result["verdict"] == "passed" and result["measurements"]["lost_writes"] == 0
    ids = {json.loads((out / "result.json").read_text())["drill_id"] for out, _ in runs}
    assert len(ids) == 2


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_database_outage_drill_gives_the_same_verdict_three_times(
    tmp_path: pathlib.Path, catalog_db_outage: CatalogRun
) -> None:
    """The session's run of the catalog drill (`make drill`'s) and two more of the same file."""
    runs = [catalog_db_outage.out]
    codes = [catalog_db_outage.code]
    for i in (1, 2):
        runs.append(tmp_path / f"run{i}")
        codes.append(main(["run", str(CATALOG / "db-outage.yaml"), "--out", str(runs[-1])]))
    outcomes = []
    for i, (code, out) in enumerate(zip(codes, runs, strict=True)):
        result = json.loads((out / "result.json").read_text())
        m = result["measurements"]
        outcomes.append((code, result["verdict"], m["lost_writes"]))
        print(
            f"run {i}: {result['verdict']}, downtime {m['downtime_s'] or 0:.2f} s, "
            f"{m['acked_writes']} acked, {m['lost_writes']} lost"
        )
    assert outcomes == [(ExitCode.OK, "passed", 0)] * 3
