"""Bad input that needs the engine to be noticed: still exit 2, nothing started."""

from __future__ import annotations

import pathlib

import pytest
import yaml
from docker import DockerClient

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import CATALOG, drillbook_objects, inline_sample_target

pytestmark = [pytest.mark.docker, pytest.mark.beside]


@pytest.mark.usefixtures("built_images")
def test_missing_image_exits_2_before_anything_starts(
    tmp_path: pathlib.Path, docker_client: DockerClient, capsys: pytest.CaptureFixture[str]
) -> None:
    target = inline_sample_target(
        tmp_path, lambda c: c["services"]["payments"].update(image="drillbook/no-such-image:0")
    )
    drill = yaml.safe_load((CATALOG / "db-outage.yaml").read_text())
    drill["target"] = target
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(drill))

    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "'drillbook/no-such-image:0' is not on this machine" in err
    assert drillbook_objects(docker_client) == []
    assert not (tmp_path / "out").exists()
