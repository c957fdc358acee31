"""Bad input for the GitOps drills: a clear message and exit 2, before any fault."""

from __future__ import annotations

import pathlib
from typing import Any

import git
import pytest
import yaml
from docker import DockerClient

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from drillbook.replicas.desired_state import FILE, DesiredState
from drillbook.replicas.target import Target
from tests.conftest import CATALOG, drillbook_objects, inline_sample_target


def drill_with(tmp_path: pathlib.Path, scenario: dict[str, Any], repo: pathlib.Path | None = None) -> pathlib.Path:
    doc = yaml.safe_load((CATALOG / "bad-deploy.yaml").read_text())
    doc["scenario"] = scenario
    if repo is not None:
        target = inline_sample_target(tmp_path)
        target["desired_state"] = {"repo": str(repo)}
        doc["target"] = target
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_a_flag_the_service_does_not_know(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = drill_with(tmp_path, {"name": "memory_leak", "with": {"flag": "turbo_mode"}})
    assert main(["validate", str(path)]) == ExitCode.BAD_INPUT
    assert "flag 'turbo_mode', which service 'app' does not know" in capsys.readouterr().err


@pytest.mark.docker
@pytest.mark.beside
@pytest.mark.usefixtures("built_images")
def test_a_release_with_no_image(
    tmp_path: pathlib.Path, docker_client: DockerClient, capsys: pytest.CaptureFixture[str]
) -> None:
    path = drill_with(tmp_path, {"name": "bad_deploy", "with": {"release": "9.9.9"}})
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    assert "'drillbook/returns-service:9.9.9' is not on this machine" in capsys.readouterr().err
    assert drillbook_objects(docker_client) == [] and not (tmp_path / "out").exists()


@pytest.mark.docker
@pytest.mark.beside
@pytest.mark.usefixtures("built_images")
@pytest.mark.parametrize("problem", ["uncommitted", "detached"])
def test_a_team_repository_that_is_not_ready(
    tmp_path: pathlib.Path,
    docker_client: DockerClient,
    sample_target: Target,
    capsys: pytest.CaptureFixture[str],
    problem: str,
) -> None:
    team = DesiredState.create(tmp_path / "team-repo", sample_target, "team")
    if problem == "uncommitted":
        (team.path / FILE).write_text((team.path / FILE).read_text() + "# work in progress\n")
    else:
        team.commit(lambda doc: doc["services"]["app"].update(mem_limit="300m"), "more memory")
        repo = git.Repo(team.path)
        repo.git.checkout(repo.head.commit.parents[0].hexsha)
    path = drill_with(tmp_path, {"name": "bad_deploy"}, repo=team.path)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert ("uncommitted changes" if problem == "uncommitted" else "detached HEAD") in err
    assert drillbook_objects(docker_client) == []
    assert not (tmp_path / "out" / "result.json").exists()
