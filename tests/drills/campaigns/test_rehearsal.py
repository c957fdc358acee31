"""`drillbook rehearse` through a pseudo-terminal: the test plays the engineer."""

from __future__ import annotations

import io
import json
import pathlib
import re
import sys

import git
import pexpect
import pytest

from tests.conftest import ROOT, catalog_drill, spawned


def _rehearse(tmp_path: pathlib.Path, *extra: str) -> tuple[pexpect.spawn[str], pathlib.Path, io.StringIO]:
    drill = catalog_drill("bad-deploy", tmp_path, "rehearse-bad-deploy")
    out = tmp_path / "out"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "drillbook", "rehearse", str(drill), "--out", str(out), "--engineer", "pat", *extra],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=180,
        dimensions=(60, 220),
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert child.pid is not None
    spawned(child.pid)
    seen = io.StringIO()
    child.logfile_read = seen
    return child, out, seen


def _group(child: pexpect.spawn[str]) -> str:
    assert isinstance(child.match, re.Match)
    return str(child.match.group(1))


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_engineer_reverts_and_reconciles_by_hand_and_is_scored(tmp_path: pathlib.Path) -> None:
    child, out, seen = _rehearse(tmp_path, "--timeout", "300")
    try:
        # The whitespace after the path ends the match: pexpect matches on what has arrived, so
        # without it a greedy `\S+` can end wherever a chunk of output ended.
        child.expect(r"desired-state repo: (\S+)\s")
        repo_path = pathlib.Path(_group(child))
        child.expect("Press Enter to acknowledge")
        briefing = seen.getvalue()
        assert "INCIDENT ALERT" in briefing and "Engineer: pat" in briefing
        assert "Runbook procedure: git_rollback" in briefing and "3. reconcile" in briefing
        assert "psql: postgresql://returns:" in briefing and "@127.0.0.1:" in briefing
        assert "What the runbook's diagnostics show now" in briefing and "health: HTTP 200" in briefing
        assert "▶ rehearsal rehearse-bad-deploy" in briefing  # the live status line, drawn on the terminal
        child.sendline("")
        child.expect("Acknowledged")

        child.sendline("h")
        child.expect(r"Hint for step 1 \(find the last stable commit\): git -C (\S+) log --oneline -10")
        assert _group(child) == str(repo_path)

        # What a person does with the printed instructions: find the bad commit, revert it.
        repo = git.Repo(repo_path)
        bad = next(c for c in repo.iter_commits() if "deploy app 1.1.0" in str(c.message))
        repo.git.revert("--no-edit", bad.hexsha)
        child.sendline("2")
        child.expect(re.escape("[x] 2. git revert the bad commit"))
        child.sendline("r")
        child.expect(r"Reconciled: recreated app")
        child.expect("Recovered", timeout=120)
        child.expect("rehearsal score: pat", timeout=120)
        child.expect(pexpect.EOF, timeout=60)
    finally:
        _stop(child)
    assert child.exitstatus == 0, child.before

    doc = json.loads((out / "result.json").read_text())
    score = doc["rehearsal"]
    assert score["engineer"] == "pat" and doc["engineer"] == "pat"
    assert score["recovered_by"] == "engineer"
    assert score["time_to_acknowledge_s"] > 0 and score["hints"] == 1
    # `r` ticked "reconcile", and the verification drillbook watched succeed ticked "verify".
    assert score["skipped"] == ["find the last stable commit"]
    assert doc["measurements"]["recovered_at"] is not None and doc["measurements"]["lost_writes"] == 0
    events = [(e["kind"], e["detail"]) for e in doc["timeline"]]
    assert any(k == "git" and "pat committed" in d and "Revert" in d for k, d in events)
    assert any(k == "rehearsal" and "pat asked for a reconcile" in d for k, d in events)
    assert "Engineer: pat" in doc["communications"]["internal_alert"]
    # The briefing's severity is the highest of the alerts it names as the impact, all of them
    # alerts the drill recorded: the bad release's error rate (P1), and, when the deploy's restart
    # gap lasts long enough on a busy machine, the failing health check (P0) before it.
    severity_of = {a["rule"]: a["severity"] for a in doc["alerts"]}
    impact = re.search(r"Impact: (.+?) — ", briefing)
    assert impact, briefing
    named = impact.group(1).split(", ")
    assert set(named) <= set(severity_of), (named, severity_of)
    assert f"Severity: {min(severity_of[r] for r in named)}" in briefing, (named, briefing)
    assert not doc["recovery_steps"], "the harness must not have run the procedure"


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_after_the_timeout_drillbook_recovers_and_says_so(tmp_path: pathlib.Path) -> None:
    child, out, _seen = _rehearse(tmp_path, "--timeout", "3", "--no-live")
    try:
        child.expect("Press Enter to acknowledge")
        child.expect(r"Taking over\S* \(timeout \(3 s\)\)", timeout=60)
        child.expect(pexpect.EOF, timeout=180)
    finally:
        _stop(child)
    doc = json.loads((out / "result.json").read_text())
    assert doc["rehearsal"]["recovered_by"] == "harness: timeout (3 s)"
    assert doc["rehearsal"]["acknowledged_at"] is None
    assert [s["name"] for s in doc["recovery_steps"]][:2] == [
        "find the last stable commit",
        "git revert the bad commit",
    ]
    assert doc["measurements"]["recovered_at"] is not None


def _stop(child: pexpect.spawn[str]) -> None:
    """A failed test leaves the harness running: Ctrl-C it, as a person would, and let it tear down."""
    if child.isalive():
        child.sendintr()
        child.expect(pexpect.EOF, timeout=120)
    child.close()


def test_a_declared_fault_without_a_recovery_is_refused_before_anything_starts(tmp_path: pathlib.Path) -> None:
    drill = tmp_path / "own.yaml"
    drill.write_text(
        "name: own\nscenario:\n  name: frozen-db\n  steps: [{docker: {service: db, action: pause}}]\n"
        "  revert: [{docker: {service: db, action: unpause}}]\n"
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "drillbook", "rehearse", str(drill), "--out", str(tmp_path / "out")],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "DOCKER_HOST": "unix:///nonexistent/docker.sock"},
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "declares its own fault 'frozen-db' and no recovery" in " ".join(str(child.before).split())
    assert not (tmp_path / "out" / "result.json").exists()
