"""A team's own Compose stack, unlike the sample, drilled from its Compose file as it is."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
from docker import DockerClient

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import ROOT

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]

STACK = ROOT / "tests" / "stacks" / "frontdesk"
PASSWORD = "frontdesk42"  # .env's DB_PASSWORD, inside the app service's name on purpose


@pytest.fixture(scope="module")
def broken_release(docker_client: DockerClient) -> str:
    """The release the bad deploy ships, built first as the team's CI would have published it."""
    tag = "frontdesk-api:1.1.0"
    docker_client.images.build(
        path=str(STACK / "api"), tag=tag, buildargs={"RELEASE": "1.1.0", "BROKEN": "1"}, pull=False, rm=True
    )
    return tag


def run(drill: str, out: pathlib.Path) -> tuple[int, dict[str, Any]]:
    code = main(["run", str(STACK / "drills" / drill), "--out", str(out), "--no-live"])
    return code, json.loads((out / "result.json").read_text())


def test_the_database_outage_of_a_compose_stack_passes(tmp_path: pathlib.Path) -> None:
    code, result = run("db-outage.yaml", tmp_path / "out")
    assert code == ExitCode.OK and result["verdict"] == "passed", (result["error"], result["checks"])
    m = result["measurements"]
    assert m["acked_writes"] and m["lost_after_injection"] == 0  # the FastHttpUser's writes, found by SQL
    assert result["target"] == "frontdesk" and result["drill"] == "frontdesk-db-outage"
    # The password is masked in what is said, never in the names it is part of.
    assert "the database password (target.database.password)" in result["masked"]
    text = (tmp_path / "out" / "result.json").read_text()
    assert "frontdesk42-api" in text and "frontdesk42@" not in text
    derived = result["git"]["derived_from"]
    assert len(derived) == 1 and derived[0].startswith(f"{STACK / 'compose.yaml'} at "), derived
    containers = [e["detail"] for e in result["timeline"] if e["kind"] == "container"]
    assert any("frontdesk-api:1.0.0" in d for d in containers), "the image built from the Compose file's build:"


def test_a_release_that_exits_at_start_is_rolled_back_from_the_compose_stack(
    tmp_path: pathlib.Path, broken_release: str
) -> None:
    code, result = run("bad-deploy.yaml", tmp_path / "out")
    assert code == ExitCode.OK and result["verdict"] == "passed", (result["error"], result["checks"])
    messages = [c["message"] for c in result["git_log"]]
    assert "deploy frontdesk42-api 1.1.0" in messages and any(m.startswith("Revert") for m in messages)
    deploys = result["deploy"]["replacements"]
    assert deploys[0]["image"] == broken_release and deploys[0]["ready_at"] is None
    assert result["measurements"]["lost_after_injection"] == 0
