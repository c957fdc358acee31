"""Files drillbook keeps are written whole or not at all, with their mode from the first byte."""

from __future__ import annotations

import json
import pathlib
import stat

import pytest

from drillbook import outputs


def test_the_file_is_replaced_whole_with_its_mode(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text("old")
    outputs.write_json(path, {"a": 1}, mode=0o600, sync=True)
    assert json.loads(path.read_text()) == {"a": 1}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.json"], "no partial file is left"


def test_a_value_that_cannot_be_written_leaves_the_old_file_and_no_partial_one(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"old": true}')
    with pytest.raises(TypeError, match="not JSON serializable"):
        outputs.write_json(path, {"bad": object()})
    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
