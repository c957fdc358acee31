"""runbook.md, runbook.html and junit.xml from runbook.json alone."""

from __future__ import annotations

import json
import pathlib
import xml.etree.ElementTree as ET

import xmlschema

from drillbook.reports import runbook_check
from drillbook.runbook_contract import CommandRecord, ListedRecord, Regression, RunbookCheck, SectionRecord

SCHEMA = xmlschema.XMLSchema(pathlib.Path(__file__).with_name("jenkins-junit.xsd"))


def document() -> dict[str, object]:
    commands = [
        CommandRecord(
            key="A\ncurl",
            line=3,
            step="1. Health",
            text="curl -f https://returnit.online/api/health",
            verdict="works",
            why="exit 0",
            status=0,
            seconds=0.08,
            output='{"status": "ok"}',
        ),
        CommandRecord(
            key="A\npm2",
            line=4,
            step="Restart",
            text="pm2 restart all | tee <x>",
            verdict="missing tool",
            why="pm2: command not found in the toolbox",
            status=127,
            output="pm2: command not found",
        ),
        CommandRecord(
            key="A\nEmail",
            line=5,
            step="Contacts",
            text="Email: support@x",
            verdict="not a command",
            why="prose in a shell block: read, not typed",
        ),
    ]
    check = RunbookCheck(
        runbook="guide.md",
        target="sample",
        started_at="2026-12-01T18:00:00+00:00",
        finished_at="2026-12-01T18:01:00+00:00",
        hosts={"returnit.online": "app"},
        sections=[SectionRecord(title="A", line=1, replica="runbook-1234", commands=commands)],
        listed=[ListedRecord(section="B", line=9, language="typescript", lines=4)],
        counts={"works": 1, "missing tool": 1, "not a command": 1},
        regressions=[Regression(section="A", text="pm2 restart all", now="missing tool", why="gone")],
    )
    loaded: dict[str, object] = json.loads(check.model_dump_json(by_alias=True))
    return loaded


def test_every_report_says_how_many_commands_work() -> None:
    rendered = runbook_check.render_all(document())
    assert set(rendered) == {"runbook.md", "runbook.html", "junit.xml"}
    assert "**1 of 2 commands work**" in rendered["runbook.md"]
    assert "Stopped working since the last check" in rendered["runbook.md"]
    assert "- B, line 9: typescript, 4 lines" in rendered["runbook.md"]
    html = rendered["runbook.html"]
    assert "<strong>1 of 2 commands work</strong>" in html and "pm2 restart all | tee &lt;x&gt;" in html


def test_junit_has_a_case_per_command_and_fails_the_ones_that_do_not_work() -> None:
    xml = runbook_check.render_all(document())["junit.xml"]
    SCHEMA.validate(xml)
    suite = ET.fromstring(xml)
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "missing tool"
