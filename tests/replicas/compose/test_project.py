"""A Compose project read as Compose reads it: the override, include, extends, profiles, interpolation."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import SpecError
from drillbook.replicas.compose.project import load


def write(folder: pathlib.Path, name: str, text: str) -> pathlib.Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_override_merges_onto_the_main_file(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAG", raising=False)
    compose = write(
        tmp_path,
        "compose.yaml",
        "services:\n  api:\n    image: api:${TAG:-1.0}\n    environment: [A=1, B=2]\n    ports: ['8080']\n"
        "    command: [serve, --fast]\n",
    )
    write(
        tmp_path, "compose.override.yaml", "services:\n  api:\n    environment: {B: '3'}\n    command: serve --slow\n"
    )
    write(tmp_path, ".env", "TAG=2.0\n")
    project = load(compose)
    api = project.services["api"].fields
    assert api["image"] == "api:2.0" and api["environment"] == {"A": "1", "B": "3"} and api["command"] == "serve --slow"
    assert project.files == (compose, tmp_path / "compose.override.yaml")


def test_the_process_environment_wins_over_dotenv(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAG", "9.9")
    write(tmp_path, ".env", "TAG=2.0\n")
    project = load(write(tmp_path, "compose.yaml", "services:\n  api: {image: 'api:${TAG}'}\n"))
    assert project.services["api"].fields["image"] == "api:9.9"


def test_include_extends_and_profiles(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "db/compose.yaml", "services:\n  pg: {image: 'drillbook/postgres:15'}\n")
    write(tmp_path, "common.yaml", "services:\n  base: {image: 'app:1', environment: {LOG: info}, mem_limit: 256m}\n")
    compose = write(
        tmp_path,
        "compose.yaml",
        "include: [db/compose.yaml]\nservices:\n"
        "  api:\n    extends: {file: common.yaml, service: base}\n    environment: {LOG: debug}\n"
        "  debug-shell:\n    image: busybox\n    profiles: [debug]\n",
    )
    project = load(compose)
    assert set(project.services) == {"pg", "api"}
    assert project.services["api"].fields["environment"] == {"LOG": "debug"}
    assert project.services["api"].fields["mem_limit"] == "256m"
    assert project.services["pg"].file == tmp_path / "db" / "compose.yaml"
    assert set(load(compose, profiles=["debug"]).services) == {"pg", "api", "debug-shell"}


def test_a_missing_required_variable_stops_with_the_file_and_line(tmp_path: pathlib.Path) -> None:
    compose = write(
        tmp_path, "compose.yaml", "services:\n  api:\n    image: app\n    environment:\n      PW: ${PW:?give PW}\n"
    )
    with pytest.raises(SpecError, match=r"compose.yaml:5: the variable PW is not set: give PW"):
        load(compose)


def test_extends_that_loops_or_names_nothing_is_refused(tmp_path: pathlib.Path) -> None:
    loop = write(tmp_path, "compose.yaml", "services:\n  a: {extends: b, image: x}\n  b: {extends: a, image: y}\n")
    with pytest.raises(SpecError, match="`extends` loops"):
        load(loop)
    ghost = write(tmp_path / "g", "compose.yaml", "services:\n  a: {extends: {service: nobody}, image: x}\n")
    with pytest.raises(SpecError, match=r"compose.yaml:2: `extends` names service 'nobody'"):
        load(ghost)
