"""The result contract and the drill file as JSON Schemas: what `drillbook schema` prints."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import jsonschema
import pytest
import yaml

from drillbook.drills.campaigns.gameday_file import is_gameday
from drillbook.drills.cli import main
from tests.conftest import CATALOG, ROOT
from tests.reports.sample_result import document as sample_document

DRILL_FILES = sorted(
    p for p in [*CATALOG.glob("*.yaml"), *(ROOT / "tests" / "drills" / "tracker").glob("*.yaml")] if not is_gameday(p)
)


def printed_schema(kind: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["schema", kind]) == 0
    schema: dict[str, Any] = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_a_result_document_and_a_broken_one_against_the_result_schema(capsys: pytest.CaptureFixture[str]) -> None:
    validator = jsonschema.Draft202012Validator(printed_schema("result", capsys))
    validator.validate(sample_document())
    broken = sample_document()
    del broken["verdict"]
    assert not validator.is_valid(broken)
    assert not validator.is_valid(sample_document(verdict="maybe"))
    assert not validator.is_valid(sample_document(schema_version="3"))


@pytest.mark.parametrize("path", DRILL_FILES, ids=lambda p: p.name)
def test_every_shipped_drill_file_is_valid_against_the_drill_schema(
    path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = printed_schema("drill", capsys)
    document = yaml.safe_load(path.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)


def test_the_drill_schema_refuses_what_the_loader_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    validator = jsonschema.Draft202012Validator(printed_schema("drill", capsys))
    good = yaml.safe_load((CATALOG / "db-outage.yaml").read_text())
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "nmae": "typo"})
    assert not validator.is_valid({**good, "load": {"users": 0}})
    assert not validator.is_valid({k: v for k, v in good.items() if k != "scenario"})
