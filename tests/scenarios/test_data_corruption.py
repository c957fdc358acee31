"""The data-corruption drill: a DELETE by hand, undone by point-in-time recovery."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re

import pytest

from drillbook.errors import ExitCode
from drills import spec
from drills.cli import main
from drills.runner import DrillRunner
from tests.conftest import CATALOG

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]


def test_pitr_brings_the_deleted_rows_back_and_loses_nothing_acknowledged_before(tmp_path: pathlib.Path) -> None:
    result = DrillRunner(spec.load(CATALOG / "data-corruption.yaml"), tmp_path / "out").run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    fault = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and e["detail"].startswith("injected"))
    deleted = int(re.findall(r"(\d+) rows deleted", fault)[0])
    assert deleted > 10  # the steady state's orders
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert all(s["ok"] for s in doc["recovery_steps"]), steps
    assert "recovery_target_lsn" in steps["find the recovery target"]["detail"]
    assert "archived" in steps["archive the current WAL"]["detail"]
    assert "promoted" in steps["replay WAL and promote"]["detail"]
    m = doc["measurements"]
    # The deleted rows were acknowledged before the fault: the data check finds every one again.
    assert m["lost_writes"] is not None and m["lost_writes"] == m["lost_after_injection"]
    assert m["rpo_s"] == 0.0
    assert result.verdict == "passed", result.error


def test_a_target_before_the_base_backup_is_refused_before_anything_breaks(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    path = spec.write_variant(
        CATALOG / "data-corruption.yaml",
        tmp_path,
        "too-early",
        recovery={"name": "pitr", "with": {"target_time": earlier}},
    )
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    assert "which is before the base backup" in capsys.readouterr().err
    assert not (tmp_path / "out" / "result.json").exists()
