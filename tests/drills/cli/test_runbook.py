"""`drillbook runbook check` and runbook drills refusing bad input: exit 2, one paragraph, nothing started."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import GUIDE, ROOT

RUNBOOK_DRILLS = ROOT / "drills" / "catalog" / "runbook"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["docs/nope.md"], "docs/nope.md: the runbook does not exist. Give the path of the Markdown file."),
        ([str(GUIDE), "--section", "Nope"], "has no section headed 'Nope'. Sections with shell blocks: "),
        ([str(GUIDE), "--section", "WebSocket Service Restart"], "section 'WebSocket Service Restart' has no shell"),
        ([str(GUIDE), "--host", "cache.internal=redis"], "host 'cache.internal' is mapped to service 'redis', which"),
        ([str(GUIDE), "--host", "cache.internal"], "--host 'cache.internal' is not NAME=VALUE."),
        ([str(GUIDE), "--target", "nope"], "target 'nope' is neither a built-in target"),
    ],
)
def test_bad_input_is_refused_before_anything_starts(
    args: list[str], said: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["runbook", "check", *args, "--out", str(out)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert said in " ".join(err.split()) and "Traceback" not in err
    assert not out.exists(), "nothing was written"


def write(tmp_path: pathlib.Path, recovery: str, target: str = "sample") -> pathlib.Path:
    drill = tmp_path / "drill.yaml"
    drill.write_text(f"name: x\ntarget: {target}\nscenario: {{name: db_outage}}\nrecovery:\n{recovery}")
    return drill


@pytest.mark.parametrize(
    ("recovery", "said"),
    [
        ("  runbook: {file: nope.md, section: X}\n", "drill.yaml:5: "),
        (f"  runbook: {{file: {GUIDE}, section: Nope}}\n", "has no section headed 'Nope'"),
        (f"  runbook: {{file: {GUIDE}, section: Automated Detection}}\n", "has no shell block"),
        (f"  runbook: {{file: {GUIDE}, section: X}}\n  name: git_rollback\n", "one of the three"),
        ("  name: git_rollback\n  values: {a: b}\n", "`values:` fills a runbook's placeholders"),
    ],
)
def test_a_runbook_drill_with_bad_input_is_refused_by_validate(
    recovery: str, said: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(write(tmp_path, recovery))]) == ExitCode.BAD_INPUT
    err = " ".join(capsys.readouterr().err.split())
    assert said in err and "Traceback" not in err


def test_hosts_mapped_to_a_missing_service_are_refused_with_their_line(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = ROOT / "replicas" / "sample" / "target.yaml"
    text = target.read_text().replace("hosts: {returnit.online: app,", "hosts: {returnit.online: web,")
    (tmp_path / "target.yaml").write_text(
        text.replace("compose: compose.yaml", f"compose: {target.parent}/compose.yaml").replace(
            "locustfile: locustfile.py", f"locustfile: {target.parent}/locustfile.py"
        )
    )
    drill = write(tmp_path, f"  runbook: {{file: {GUIDE}, section: Application Restart}}\n", "target.yaml")
    assert main(["validate", str(drill)]) == ExitCode.BAD_INPUT
    err = " ".join(capsys.readouterr().err.split())
    assert "target.hosts maps 'returnit.online' to service 'web', which target 'sample' does not have" in err


def test_a_comparison_runs_a_runbook_section_beside_a_procedure() -> None:
    variants = spec.load(RUNBOOK_DRILLS / "bad-deploy-compare.yaml").compared()
    assert [v.name for v in variants] == [
        "runbook-vs-rollback-git-rollback",
        "runbook-vs-rollback-runbook-application-rollback",
    ]
    assert "drillbook-toolbox" in variants[1].target.networks


def test_every_runbook_drill_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    for drill in sorted(RUNBOOK_DRILLS.glob("*.yaml")):
        assert main(["validate", str(drill)]) == ExitCode.OK, capsys.readouterr().err


def test_plan_names_the_toolbox_and_the_placeholders_nothing_fills(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled = RUNBOOK_DRILLS / "bad-deploy-rollback.yaml"
    assert main(["plan", "--offline", str(filled)]) == ExitCode.OK
    said = " ".join(capsys.readouterr().out.split())
    assert "toolbox (the runbook's commands run there, never here)" in said and "returnit.online -> app" in said
    assert "placeholders with no value" not in said
    unfilled = write(tmp_path, f"  runbook: {{file: {GUIDE}, section: Application Rollback}}\n")
    assert main(["plan", "--offline", str(unfilled)]) == ExitCode.OK
    said = " ".join(capsys.readouterr().out.split())
    assert "runbook 'Application Rollback': placeholders with no value: stable-commit-hash" in said
