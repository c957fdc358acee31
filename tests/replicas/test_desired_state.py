"""The desired-state repository: commits, reverts, and the checks before a drill."""

from __future__ import annotations

import pathlib
from typing import Any

import git
import pytest

from drillbook.errors import SpecError
from drillbook.replicas.desired_state import FILE, DesiredState
from drillbook.replicas.target import Target


def set_image(image: str) -> Any:
    def change(doc: dict[str, Any]) -> None:
        doc["services"]["app"]["image"] = image

    return change


def test_created_from_the_target_with_flags_as_environment(tmp_path: pathlib.Path, sample_target: Target) -> None:
    desired = DesiredState.create(tmp_path / "repo", sample_target, "test")
    states = desired.read()
    assert states["app"].image == "drillbook/returns-service:1.0.0"
    assert states["app"].flags == {"leaky_cache": False, "payment_fallback": False}
    assert states["app"].container_env()["FEATURE_LEAKY_CACHE"] == "off"
    assert states["db"].mem_limit == "512m"
    assert [c.message for c in desired.log()] == ["desired state: initial (test)"]


def test_deploy_and_revert_keep_history(tmp_path: pathlib.Path, sample_target: Target) -> None:
    desired = DesiredState.create(tmp_path / "repo", sample_target, "test")
    bad = desired.commit(set_image("drillbook/returns-service:1.1.0"), "deploy app 1.1.0")
    assert desired.read()["app"].image.endswith(":1.1.0")
    undo = desired.revert(bad.sha)
    assert desired.read()["app"].image.endswith(":1.0.0")
    messages = [c.message for c in desired.log()]
    assert messages[0].startswith('Revert "deploy app 1.1.0"') and messages[1] == "deploy app 1.1.0"
    assert undo.sha != bad.sha and len(messages) == 3


def test_uncommitted_changes_are_refused(tmp_path: pathlib.Path, sample_target: Target) -> None:
    desired = DesiredState.create(tmp_path / "repo", sample_target, "test")
    (desired.path / FILE).write_text((desired.path / FILE).read_text() + "\n# edited by hand\n")
    with pytest.raises(SpecError, match="uncommitted changes"):
        DesiredState(desired.path, sample_target)


def test_detached_head_is_refused(tmp_path: pathlib.Path, sample_target: Target) -> None:
    desired = DesiredState.create(tmp_path / "repo", sample_target, "test")
    desired.commit(set_image("drillbook/returns-service:1.1.0"), "deploy")
    repo = git.Repo(desired.path)
    repo.git.checkout(repo.head.commit.parents[0].hexsha)
    with pytest.raises(SpecError, match="detached HEAD"):
        DesiredState(desired.path, sample_target)


def test_a_flag_the_service_does_not_know_is_refused(tmp_path: pathlib.Path, sample_target: Target) -> None:
    desired = DesiredState.create(tmp_path / "repo", sample_target, "test")

    def turbo(doc: dict[str, Any]) -> None:
        doc["services"]["app"]["flags"]["turbo_mode"] = True

    with pytest.raises(SpecError, match="no feature flag 'turbo_mode'"):
        desired.commit(turbo, "enable turbo")


def test_not_a_repository(tmp_path: pathlib.Path, sample_target: Target) -> None:
    with pytest.raises(SpecError, match="not a git repository"):
        DesiredState(tmp_path, sample_target)


def test_backups_are_part_of_the_desired_state(tmp_path: pathlib.Path) -> None:
    from drillbook.drills import spec
    from tests.conftest import CATALOG

    target = spec.load(CATALOG / "host-lost.yaml").target
    desired = DesiredState.create(tmp_path / "repo", target, "test")
    states = desired.read()
    assert states["db-backup"].env["DUMP_INTERVAL_S"] == "6"  # a commit switches the dumps
    assert states["db"].env["ARCHIVE_DIR"] == "/backups/wal"
