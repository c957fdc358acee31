"""The command line: exit codes and messages for bad input, with nothing started."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import ExitCode
from drills.cli import main

CATALOG = pathlib.Path(__file__).resolve().parents[2] / "drills" / "catalog"
DB_OUTAGE = str(CATALOG / "db-outage.yaml")


def test_list_names_the_scenarios_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == ExitCode.OK
    out = capsys.readouterr().out
    for word in ("db-outage.yaml", "db_outage", "restart_database", "database_down"):
        assert word in out


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", DB_OUTAGE]) == ExitCode.OK
    assert "valid drill 'db-outage'" in capsys.readouterr().out


def test_plan_touches_nothing_and_describes_each_phase(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no engine reachable at all, plan still works: it never talks to Docker.
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["plan", DB_OUTAGE]) == ExitCode.OK
    out = capsys.readouterr().out
    for phrase in (
        "provision",
        "steady state",
        "inject db_outage(mode='kill')",
        "database_down",
        "restart_database",
        "RTO 900 s",
        "teardown",
        "Nothing was started",
    ):
        assert phrase in out


def test_malformed_spec_exits_2_with_field_and_line(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nscenario:\n  name: db_outage\nload:\n  users: many\n")
    assert main(["validate", str(bad)]) == ExitCode.BAD_INPUT
    assert main(["run", str(bad), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"{bad}:5: load.users" in err
    assert not (tmp_path / "out").exists()


def test_unknown_scenario_exits_2(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nscenario:\n  name: meteor_strike\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    assert "Unknown scenario 'meteor_strike'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unreachable_engine_exits_2_and_says_what_to_do(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["run", DB_OUTAGE, "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "Cannot reach the Docker engine" in err and "make docker" in err
    assert not (tmp_path / "out").exists()


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == ExitCode.BAD_INPUT
    assert main(["frobnicate"]) == ExitCode.BAD_INPUT
    assert "--help" in capsys.readouterr().err


def test_report_of_a_missing_result_exits_2(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nope.json")]) == ExitCode.BAD_INPUT
    assert "Cannot read the result" in capsys.readouterr().err
