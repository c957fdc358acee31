"""JUnit XML: valid for CI servers, a failure says measured against target."""

from __future__ import annotations

import pathlib
import xml.etree.ElementTree as ET

import xmlschema

from drillbook.reports import junit
from tests.reports.sample_result import document

SCHEMA = xmlschema.XMLSchema(pathlib.Path(__file__).with_name("jenkins-junit.xsd"))


def test_valid_against_the_schema_ci_servers_read() -> None:
    for doc in (document(), document(verdict="passed", checks=[]), document(verdict="error", error="boom")):
        SCHEMA.validate(junit.render(doc))
    SCHEMA.validate(junit.render_many([document(), document(drill="other")]))


def test_one_testcase_per_objective_and_check_with_measured_against_target() -> None:
    root = ET.fromstring(junit.render(document()))
    suite = root.find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"RTO", "RPO", "data_check"}
    failure = cases["RTO"].find("failure")
    assert failure is not None and failure.get("message") == (
        "RTO missed: measured 16.53 min against a target of 15 min"
    )
    assert cases["RPO"].find("failure") is None
    assert suite.get("tests") == "3" and suite.get("failures") == "2" and suite.get("errors") == "0"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["downtime_s"] == "991.55" and props["lost_writes"] == "3" and props["severity"] == "P0"


def test_a_drill_that_could_not_run_is_an_error() -> None:
    root = ET.fromstring(
        junit.render(document(verdict="error", error="steady state did not hold", objectives=[], checks=[]))
    )
    error = root.find("testsuite/testcase/error")
    assert error is not None and error.get("message") == "steady state did not hold"
    assert root.get("errors") == "1"
