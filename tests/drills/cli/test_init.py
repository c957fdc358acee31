"""`drillbook init --compose`: a starter drill for a team's own stack, validated, and run for real."""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import ROOT, WINDOW_S

STACK = ROOT / "tests" / "stacks" / "frontdesk" / "compose.yaml"


def test_init_writes_a_drill_that_validate_accepts(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "drills"
    assert main(["init", "--compose", str(STACK), "--out", str(out)]) == ExitCode.OK
    assert "app frontdesk42-api (health /healthz), database pg" in capsys.readouterr().out
    target = yaml.safe_load((out / "target.yaml").read_text())
    assert target["app"] == "frontdesk42-api" and target["database"] == {"service": "pg"}
    assert (out / target["compose"]).resolve() == STACK.resolve()
    drill = yaml.safe_load((out / "db-outage.yaml").read_text())
    assert drill["scenario"] == {"name": "db_outage", "with": {"mode": "kill", "service": "pg"}}
    assert main(["validate", str(out / "db-outage.yaml")]) == ExitCode.OK


def test_init_never_overwrites(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "drills"
    out.mkdir()
    (out / "locustfile.py").write_text("# ours\n")
    assert main(["init", "--compose", str(STACK), "--out", str(out)]) == ExitCode.BAD_INPUT
    assert "already exist; init never overwrites" in capsys.readouterr().err
    assert (out / "locustfile.py").read_text() == "# ours\n" and not (out / "target.yaml").exists()


def test_init_refuses_a_stack_without_postgres(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  web: {image: nginx, ports: ['80']}\n  cache: {image: redis}\n")
    assert main(["init", "--compose", str(compose), "--out", str(tmp_path / "d")]) == ExitCode.BAD_INPUT
    assert "no PostgreSQL service" in capsys.readouterr().err


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_drill_init_writes_runs_to_a_verdict_for_real(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "drills"
    assert main(["init", "--compose", str(STACK), "--out", str(out)]) == ExitCode.OK
    written = out / "db-outage.yaml"
    doc = yaml.safe_load(written.read_text())
    assert doc["phases"] == {"steady_state_s": 10, "verify_window_s": 10}
    doc["phases"] = {"steady_state_s": WINDOW_S, "verify_window_s": WINDOW_S}  # a test drill's windows
    written.write_text(yaml.safe_dump(doc, sort_keys=False))
    code = main(["run", str(written), "--out", str(tmp_path / "result"), "--no-live"])
    result = json.loads((tmp_path / "result" / "result.json").read_text())
    assert code == ExitCode.OK and result["verdict"] == "passed", (result["error"], result["checks"])
