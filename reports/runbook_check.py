"""The reports of `drillbook runbook check`, from runbook.json alone: Markdown, HTML, JUnit.

JUnit has one test case per command of the runbook, so CI gates on runbook rot
the way it gates on tests: a command that does not work is a failure; prose
and other languages are skipped, so the count stays honest.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from drillbook.runbook_contract import RunbookCheck

FILES = {"md": "runbook.md", "html": "runbook.html", "junit": "junit.xml"}


def summary(doc: RunbookCheck) -> str:
    run = [c for c in doc.commands if c.verdict != "not a command"]
    works = sum(1 for c in run if c.verdict == "works")
    return f"{works} of {len(run)} commands work"


def render_md(doc: RunbookCheck) -> str:
    lines = [
        f"# Runbook check: {doc.runbook}",
        "",
        f"**{summary(doc)}** against target `{doc.target}` ({doc.started_at} to {doc.finished_at}).",
        "",
    ]
    if doc.counts:
        lines += ["| verdict | commands |", "|---|---|"]
        lines += [f"| {verdict} | {count} |" for verdict, count in sorted(doc.counts.items())]
        lines.append("")
    if doc.regressions:
        lines += ["## Stopped working since the last check", ""]
        lines += [f"- **{r.section}**: `{r.text.splitlines()[0]}` is now *{r.now}*: {r.why}" for r in doc.regressions]
        lines.append("")
    for section in doc.sections:
        where = f"fresh replica {section.replica}" if section.replica else "nothing run"
        lines += [
            f"## {section.title} (line {section.line}; {where})",
            "",
            "| line | step | command | verdict | time | why |",
            "|---|---|---|---|---|---|",
        ]
        for c in section.commands:
            text = c.text.replace("\n", " ⏎ ").replace("|", "\\|")
            lines.append(
                f"| {c.line} | {c.step.replace('|', '/')} | `{text[:100]}` | {c.verdict} | {c.seconds:.2f} s | "
                f"{c.why.replace('|', '/')} |"
            )
        lines.append("")
    if doc.listed:
        lines += ["## Blocks in other languages (listed, not run)", ""]
        lines += [f"- {x.section}, line {x.line}: {x.language}, {x.lines} lines" for x in doc.listed]
        lines.append("")
    return "\n".join(lines)


def render_html(doc: RunbookCheck) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("drillbook.reports", "templates"), autoescape=True, keep_trailing_newline=True
    )
    return env.get_template("runbook.html.j2").render(doc=doc, summary=summary(doc))


def render_junit(doc: RunbookCheck) -> str:
    suite = ET.Element("testsuite", name=f"drillbook.runbook.{doc.target}", timestamp=doc.started_at)
    tests = failures = skipped = 0
    for section in doc.sections:
        for c in section.commands:
            tests += 1
            name = f"line {c.line}: {c.text.splitlines()[0][:120]}"
            case = ET.SubElement(
                suite, "testcase", classname=f"runbook.{section.title}", name=name, time=f"{c.seconds:.3f}"
            )
            if c.verdict == "not a command":
                skipped += 1
                ET.SubElement(case, "skipped", message=c.why)
            elif c.verdict != "works":
                failures += 1
                failure = ET.SubElement(case, "failure", type=c.verdict, message=f"{c.verdict}: {c.why}")
                failure.text = c.output or c.why
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", "0")
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def render_all(raw: dict[str, Any]) -> dict[str, str]:
    """Every report by its file name, from the document as read from runbook.json."""
    doc = RunbookCheck.model_validate(raw)
    return {FILES["md"]: render_md(doc), FILES["html"]: render_html(doc), FILES["junit"]: render_junit(doc)}
