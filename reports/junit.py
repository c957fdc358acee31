"""JUnit XML for CI servers: one testcase per objective and per check.

A missed objective is a <failure> whose message gives measured against
target; a drill that could not run is an <error>. The figures ride along as
<property> elements, so a CI server can chart them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from drillbook.contract import MEASUREMENTS as FIGURES
from drillbook.contract import ResultDocument
from drillbook.reports.words import duration


def _suite(doc: ResultDocument) -> ET.Element:
    drill = doc.drill
    suite = ET.Element("testsuite", name=f"drillbook.{drill}")
    if doc.started_at:
        suite.set("timestamp", doc.started_at)
    host = doc.environment.get("host")
    if host:
        suite.set("hostname", host)
    properties = ET.SubElement(suite, "properties")
    meta = {
        "verdict": doc.verdict,
        "scenario": doc.scenario,
        "recovery": doc.recovery,
        "tier": doc.tier,
        "severity": doc.severity,
        "time_scale": doc.time_scale,
    }
    figures = doc.measurements.model_dump()
    for name, value in [*meta.items(), *((k, figures.get(k)) for k in FIGURES)]:
        ET.SubElement(properties, "property", name=name, value="" if value is None else str(value))

    tests = failures = errors = 0
    if doc.verdict in ("error", "interrupted") or doc.incomplete:
        case = ET.SubElement(suite, "testcase", classname=f"drillbook.{drill}", name="drill ran to the end", time="0")
        ET.SubElement(case, "error", type=doc.verdict, message=doc.error or "did not finish")
        tests, errors = 1, 1
    for o in doc.objectives:
        tests += 1
        case = ET.SubElement(
            suite, "testcase", classname=f"drillbook.{drill}.objectives", name=o.name, time=f"{o.measured_s or 0:.3f}"
        )
        if not o.met:
            failures += 1
            message = f"{o.name} missed: measured {duration(o.measured_s)} against a target of {duration(o.target_s)}"
            ET.SubElement(case, "failure", type="objective", message=message).text = message
    for c in doc.checks:
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=f"drillbook.{drill}.checks", name=c.name, time="0")
        if not c.ok:
            failures += 1
            ET.SubElement(case, "failure", type="check", message=c.detail).text = c.detail
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", f"{doc.duration_s or 0:.3f}")
    ET.SubElement(suite, "system-out").text = doc.error or f"verdict: {doc.verdict}"
    return suite


def render_many(docs: Sequence[dict[str, Any]]) -> str:
    """One <testsuites> document, one <testsuite> per drill (a game day writes several)."""
    root = ET.Element("testsuites", name="drillbook")
    suites = [_suite(ResultDocument.model_validate(d)) for d in docs]
    root.extend(suites)
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.set("time", f"{sum(float(s.get('time', '0')) for s in suites):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(doc: dict[str, Any]) -> str:
    return render_many([doc])
