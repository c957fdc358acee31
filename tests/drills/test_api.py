"""The Python API: `from drillbook import run_drill`, lazily, with the command line's refusals."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from drillbook import run_drill
from drillbook.errors import PluginError, SpecError


def test_importing_drillbook_loads_nothing_of_the_harness() -> None:
    probe = "import sys, drillbook; print(sorted(m for m in sys.modules if m.startswith('drillbook.')))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "drillbook.drills" not in loaded and "drillbook.replicas" not in loaded, loaded


def test_overrides_are_validated_like_the_file_before_anything_starts(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match=r"db-outage.yaml.*objectives.rto_s"):
        run_drill("db-outage", out=tmp_path / "out", overrides={"objectives": {"rto_s": -1}})
    with pytest.raises(PluginError, match="Unknown scenario 'db_outgae'"):
        run_drill("db-outage", out=tmp_path / "out", overrides={"scenario": {"name": "db_outgae"}})
    assert not (tmp_path / "out" / "result.json").exists()
