"""A real drill gathers the runbook's evidence: diagnostics, escalation, messages, checklist, no secrets."""

from __future__ import annotations

import contextlib
import json
import pathlib
import secrets
import threading
from typing import Any

import psycopg
import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.timeline import Event
from tests.conftest import catalog_drill, inline_sample_target, why

pytestmark = [pytest.mark.docker, pytest.mark.beside, pytest.mark.usefixtures("built_images", "no_leftovers")]

MARKER = "report that never finishes"


def _target_with_a_secret(tmp_path: pathlib.Path, token: str) -> dict[str, Any]:
    return inline_sample_target(tmp_path, lambda c: c["services"]["app"]["environment"].update(PAYMENT_API_TOKEN=token))


def test_a_drill_records_the_evidence_the_runbook_asks_for(tmp_path: pathlib.Path) -> None:
    token = f"tok_live_{secrets.token_hex(12)}"
    path = catalog_drill("bad-deploy", tmp_path, "evidence", target=_target_with_a_secret(tmp_path, token))
    drill = spec.load(path)
    password = drill.target.database.password
    out = tmp_path / "out"
    holder: list[psycopg.Connection[tuple[object, ...]]] = []

    def engineer_side_effects(event: Event) -> None:
        """A statement left running from the steady state on, and (in the release the fault
        deployed) an app that logs its secrets."""
        if runner.replica is None:
            return
        if (event.kind, event.detail) == ("phase", "steady state"):
            conn = psycopg.connect(runner.replica.db_conninfo(), autocommit=True, application_name="test-report")
            holder.append(conn)
            threading.Thread(target=_hold, args=(conn,), daemon=True).start()
        if event.kind == "fault" and event.detail.startswith("injected"):
            leak = 'echo "ERROR payment call failed with key $PAYMENT_API_TOKEN on $DATABASE_URL" > /proc/1/fd/1'
            runner.replica.exec("app", ["sh", "-c", leak])

    runner = DrillRunner(drill, out, engineer_side_effects)
    try:
        result = runner.run()
    finally:
        for conn in holder:
            conn.close()
    assert result.verdict == "passed", why(result)
    doc = json.loads((out / "result.json").read_text())

    # Diagnostics at the first alert name the statement left running (P1: 5 minutes × 0.02 = 6 s).
    first = next(s for s in doc["diagnostics"] if s["label"] == "first alert")
    sections = {s["name"]: s for s in first["sections"]}
    assert any(MARKER in row[-1] for row in sections["long_running"]["rows"]), sections["long_running"]
    assert sections["connectivity"]["available"]
    # The health body is whatever the service answered under the broken release's load (a dropped
    # connection through docker-proxy is evidence too); a quiet replica's is in test_diagnostics.
    assert sections["health"]["reason"]
    logged = [row[1] for row in sections["log_errors"]["rows"] if "payment call failed" in row[1]]
    assert logged == ["ERROR payment call failed with key *** on postgresql://returns_app:***@db:5432/returns"]

    # Escalation at the worst alert's severity, held by Level 1 until the guide's next step, and
    # recovered long before: a P1 (the broken release's error rate) until 2 hours × 0.02 = 144 s, a P0
    # (health_check_fail, when the deploy's own restart outlasts its 2 minutes × 0.02 on a loaded
    # machine) until 30 minutes × 0.02 = 36 s.
    severity = min(a["severity"] for a in doc["alerts"])
    esc = doc["escalation"]
    assert (esc["severity"], esc["level"], esc["name"]) == (severity, 1, "On-Call Engineer")
    due = {"P0": 36, "P1": 144}[severity]
    assert esc["ladder"][1]["due_at"] == pytest.approx(doc["measurements"]["detected_at"] + due, abs=0.01)
    assert any(e["kind"] == "escalation" and "Level 1" in e["detail"] for e in doc["timeline"])

    # The runbook's messages, filled in.
    comms = doc["communications"]
    # At the same worst severity as the escalation (a P0 on a loaded machine, above).
    assert f"Severity: {severity}\nService: sample (Customer order creation" in comms["internal_alert"]
    assert "Status: Resolved" in comms["internal_alert"]
    assert [u["status"] for u in comms["status_page"]] == ["Investigating", "Identified", "Fix deployed", "Resolved"]
    assert comms["schedule"][0]["outcome"] == "met: sent when the alert fired"

    # The five verification checks, each with its evidence.
    checklist = {i["name"]: i for i in doc["verification"]}
    assert len(checklist) == 5 and all(i["passed"] for i in checklist.values()), checklist
    assert "metrics endpoint after recovery: HTTP 200" in checklist["Performance metrics normal"]["evidence"]

    # Nothing the drill wrote carries the secrets (the desired-state repo is the replica's config).
    written = [p for p in out.rglob("*") if p.is_file() and "desired-state" not in p.parts]
    assert {p.name for p in written} >= {"result.json", "report.html", "summary.md", "junit.xml", "postmortem.md"}
    for file in written:
        text = file.read_text(errors="replace")
        assert token not in text and password not in text, file


def _hold(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    with contextlib.suppress(psycopg.Error):  # the replica is torn down under it
        conn.execute(f"SELECT pg_sleep(600) /* {MARKER} */")
