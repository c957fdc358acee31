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
from drillbook.reports.words import duration


def _suite(doc: dict[str, Any]) -> ET.Element:
    drill = str(doc.get("drill", "drill"))
    suite = ET.Element("testsuite", name=f"drillbook.{drill}")
    if doc.get("started_at"):
        suite.set("timestamp", str(doc["started_at"]))
    host = (doc.get("environment") or {}).get("host")
    if host:
        suite.set("hostname", str(host))
    properties = ET.SubElement(suite, "properties")
    meta = {
        "verdict": doc.get("verdict"),
        "scenario": doc.get("scenario"),
        "recovery": doc.get("recovery"),
        "tier": doc.get("tier"),
        "severity": doc.get("severity"),
        "time_scale": doc.get("time_scale"),
    }
    for name, value in [*meta.items(), *((k, (doc.get("measurements") or {}).get(k)) for k in FIGURES)]:
        ET.SubElement(properties, "property", name=name, value="" if value is None else str(value))

    tests = failures = errors = 0
    if doc.get("verdict") in ("error", "interrupted") or doc.get("incomplete"):
        case = ET.SubElement(suite, "testcase", classname=f"drillbook.{drill}", name="drill ran to the end", time="0")
        ET.SubElement(case, "error", type=str(doc.get("verdict")), message=str(doc.get("error") or "did not finish"))
        tests, errors = 1, 1
    for o in doc.get("objectives", []):
        tests += 1
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"drillbook.{drill}.objectives",
            name=str(o["name"]),
            time=f"{o['measured_s'] or 0:.3f}",
        )
        if not o["met"]:
            failures += 1
            message = (
                f"{o['name']} missed: measured {duration(o['measured_s'])} against a target of "
                f"{duration(o['target_s'])}"
            )
            ET.SubElement(case, "failure", type="objective", message=message).text = message
    for c in doc.get("checks", []):
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=f"drillbook.{drill}.checks", name=str(c["name"]), time="0")
        if not c["ok"]:
            failures += 1
            ET.SubElement(case, "failure", type="check", message=str(c["detail"])).text = str(c["detail"])
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", f"{float(doc.get('duration_s') or 0):.3f}")
    ET.SubElement(suite, "system-out").text = str(doc.get("error") or f"verdict: {doc.get('verdict')}")
    return suite


def render_many(docs: Sequence[dict[str, Any]]) -> str:
    """One <testsuites> document, one <testsuite> per drill (a game day writes several)."""
    root = ET.Element("testsuites", name="drillbook")
    suites = [_suite(d) for d in docs]
    root.extend(suites)
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.set("time", f"{sum(float(s.get('time', '0')) for s in suites):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(doc: dict[str, Any]) -> str:
    return render_many([doc])
