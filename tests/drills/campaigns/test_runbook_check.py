"""`runbook check` before anything starts (the refusals), and its memory of previous checks."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.drills import spec
from drillbook.drills.campaigns import runbook_check
from drillbook.errors import SpecError
from drillbook.recovery.runbook import markdown
from drillbook.runbook_contract import CommandRecord, RunbookCheck, SectionRecord, VerdictName
from tests.conftest import GUIDE


def plan(section: str | None, hosts: dict[str, str] | None = None) -> runbook_check.Plan:
    return runbook_check.plan(markdown.load(GUIDE), section, spec.target_named("sample"), hosts or {}, {}, 5.0)


def test_a_section_is_planned_on_a_target_with_the_toolbox_network() -> None:
    planned = plan("Rollback Procedures")
    assert [s.title for s in planned.sections] == [
        "Rollback Procedures",
        "Application Rollback",
        "Database Rollback",
        "Configuration Rollback",
    ]
    assert planned.target.hosts == {"returnit.online": "app", "api.stripe.com": "payments"}
    assert "drillbook-toolbox" in planned.target.networks


def test_a_section_with_no_shell_block_is_refused() -> None:
    with pytest.raises(
        SpecError,
        match=r"docs/returnit-incident-response.md:\d+: section 'WebSocket Service Restart' "
        r"has no shell block",
    ):
        plan("WebSocket Service Restart")


def test_a_host_mapped_to_a_service_the_target_lacks_is_refused() -> None:
    with pytest.raises(
        SpecError,
        match=r"--host: host 'cache.internal' is mapped to service 'redis', which target "
        r"'sample' does not have \(it has db, payments, app\)",
    ):
        plan(None, {"cache.internal": "redis"})


def check(verdict: VerdictName) -> RunbookCheck:
    command = CommandRecord(key="Checks\ncurl -f x", line=3, step="1", text="curl -f x", verdict=verdict, why="w")
    return RunbookCheck(
        runbook="g.md",
        target="sample",
        started_at="t",
        finished_at="t",
        hosts={},
        listed=[],
        counts={},
        sections=[SectionRecord(title="Checks", line=1, replica="r", commands=[command])],
        regressions=[],
    )


def test_a_command_that_worked_last_time_and_fails_now_is_a_regression(tmp_path: pathlib.Path) -> None:
    history = tmp_path / "h.json"
    assert runbook_check.remembered(check("works"), history).regressions == []
    now = runbook_check.remembered(check("fails"), history)
    assert [(r.section, r.text, r.now) for r in now.regressions] == [("Checks", "curl -f x", "fails")]
    assert runbook_check.remembered(check("fails"), history).regressions == [], "it no longer worked last time"
