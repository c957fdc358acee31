"""The command line: exit codes and messages for bad input, with nothing started."""

from __future__ import annotations

import argparse
import json
import pathlib
import shlex
import shutil
import subprocess
import sys

import pytest

from drillbook.drills import spec
from drillbook.drills.cli import arguments, commands, main
from drillbook.errors import ExitCode

CATALOG = pathlib.Path(__file__).resolve().parents[3] / "drills" / "catalog"
DB_OUTAGE = str(CATALOG / "db-outage.yaml")


def test_list_names_the_scenarios_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == ExitCode.OK
    out = capsys.readouterr().out
    for word in ("db-outage.yaml", "db_outage", "restart_database", "database_down"):
        assert word in out


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", DB_OUTAGE]) == ExitCode.OK
    assert "valid drill 'db-outage'" in capsys.readouterr().out


def test_an_offline_plan_touches_nothing_and_describes_each_phase(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no engine reachable at all, an offline plan still works: it never talks to Docker.
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["plan", DB_OUTAGE, "--offline"]) == ExitCode.OK
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


# --- the rough edges a new user meets first ------------------------------------


def test_version_prints_the_version_and_the_checkout_commit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("drillbook 0.1.0")
    assert "(commit " in out  # the tests run from a checkout


def test_a_usage_error_names_the_program_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("drillbook:") == 1 and "invalid choice" in err
    assert main(["run"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("drillbook: run: the following arguments are required") and err.count("drillbook:") == 1


def test_validate_recognises_a_game_day_and_checks_every_drill(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(CATALOG / "nightly.yaml")]) == ExitCode.OK
    assert "valid game day 'nightly'" in capsys.readouterr().out
    bad = tmp_path / "day.yaml"
    bad.write_text("name: day\ndrills:\n  - drill: db-outage\n    overrides: {scenario: {name: no_such_fault}}\n")
    assert main(["validate", str(bad)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "no_such_fault" in err and "Extra inputs" not in err and "scenario: Field required" not in err
    assert not list(tmp_path.glob("**/db-outage.yaml")), "validating writes nothing beside the file"


def test_validate_and_run_take_a_built_in_drill_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "db-outage"]) == ExitCode.OK
    assert "valid drill 'db-outage'" in capsys.readouterr().out


def test_list_columns_fit_the_longest_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == ExitCode.OK
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    columns = set()
    for line in lines:
        name = line[2:].split()[0]
        rest = line[2 + len(name) :]
        assert rest.startswith("  "), f"a name runs into its description: {line!r}"
        columns.add(2 + len(name) + len(rest) - len(rest.lstrip()))
    assert len(columns) == 1, "every description starts in the same column"
    assert "connection-exhaustion.yaml  A leaking client" in "\n".join(lines)
    assert "terminate_idle_connections  " in "\n".join(lines)


def test_list_json_is_for_tools(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    assert {"db_outage", "restart_database"} <= {e["name"] for e in doc["scenarios"] + doc["recovery_procedures"]}
    assert "db-outage.yaml" in {e["name"] for e in doc["drills"]}
    assert {e["name"] for e in doc["alert_rules"]} >= {"database_down"}


def _complete(script: str, *words: str) -> list[str]:
    line = " ".join(shlex.quote(w) for w in words)
    call = f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _drillbook"
    program = f'{script}\n{call}; printf "%s\\n" "${{COMPREPLY[@]}}"'
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_bash_completion_is_generated_from_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == ExitCode.OK
    script = capsys.readouterr().out
    assert _complete(script, "drillbook", "") >= ["list"]
    assert set(_complete(script, "drillbook", "")) >= {"list", "validate", "run", "gameday", "completion", "--version"}
    assert "db-outage" in _complete(script, "drillbook", "run", "db-o")
    assert _complete(script, "drillbook", "report", "--fo") == ["--format"]
    assert "--json" in _complete(script, "drillbook", "list", "--")


def test_zsh_completion_names_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "zsh"]) == ExitCode.OK
    script = capsys.readouterr().out
    assert script.startswith("#compdef drillbook")
    commands = ("list", "validate", "plan", "init", "run", "gameday", "rehearse", "report", "history", "cleanup")
    for command in (*commands, "coverage"):
        assert f"        {command}) opts=(" in script
    assert shutil.which("zsh"), "make test installs Debian's zsh (make tools)"
    subprocess.run(["zsh", "-n", "-c", script], check=True)


def test_names_with_markup_are_printed_as_they_are(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    drill = tmp_path / "drill[red].yaml"
    drill.write_text('name: "[/bold]"\nscenario: {name: "[/]"}\n')
    assert main(["validate", str(drill)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "drill[red].yaml" in err, "the file's name as it is, not read as markup"
    assert "'^[a-z0-9][a-z0-9._-]*$'" in err, "a pattern in a message keeps its brackets"


def test_non_finite_numbers_are_refused_with_the_line(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in ("1e309", ".inf", ".nan"):
        drill = tmp_path / "drill.yaml"
        drill.write_text(f"name: x\nscenario: {{name: db_outage}}\nobjectives:\n  rto_s: {value}\n")
        assert main(["validate", str(drill)]) == ExitCode.BAD_INPUT
        err = capsys.readouterr().err
        assert "drill.yaml:4: objectives.rto_s" in err and "finite" in err, err


def test_duplicate_keys_are_refused_naming_both_lines(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drill = tmp_path / "drill.yaml"
    drill.write_text("name: x\nscenario: {name: db_outage}\nname: y\n")
    assert main(["validate", str(drill)]) == ExitCode.BAD_INPUT
    assert "lines 1 and 3" in capsys.readouterr().err


def test_validate_warns_about_a_secret_inside_a_name(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = spec.load(CATALOG / "db-outage.yaml").target.database.password
    path = spec.write_variant(CATALOG / "db-outage.yaml", tmp_path, f"orders-{password}")
    assert main(["validate", str(path)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert f"warning: drill name 'orders-{password}' contains the database password" in out
    assert "names are never masked" in out


def test_every_subcommand_names_a_function_that_imports() -> None:
    """The commands are imported when they run: a subcommand whose module or function is misnamed
    would otherwise be found by its first user."""
    parser = arguments.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == set(commands.COMMANDS)
    assert all(callable(commands.command(name)) for name in commands.COMMANDS)


@pytest.mark.parametrize("drill", [DB_OUTAGE, str(CATALOG / "bad-deploy.yaml")])
def test_validate_loads_no_engine_database_http_or_git_client(drill: str) -> None:
    """Checking a drill costs about what reading it does (0.4 s of CPU, not the 1.2 s the whole
    harness takes to import): the clients are imported where a drill uses them, not by the check
    nor by the modules it shares with the harness. (A scenario that speaks SQL imports psycopg
    itself: `list`, and a game day naming every scenario, load them all.)"""
    code = (
        "import sys\n"
        "from drillbook.drills.cli import main\n"
        f"assert main(['validate', {drill!r}]) == 0\n"
        "print(sorted(m for m in ('docker', 'psycopg', 'httpx', 'git') if m in sys.modules))\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "[]"
