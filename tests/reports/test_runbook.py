"""The runbook's escalation ladder and communication schedule, applied to constructed results."""

from __future__ import annotations

from drillbook.contract import ResultDocument
from drillbook.reports import runbook
from tests.reports.sample_result import document


def test_p0_climbs_the_ladder_at_30_minutes_1_and_2_hours_scaled() -> None:
    ladder = runbook.escalation("P0", began_at=10.0, until=10.0 + 3700 * 0.01, time_scale=0.01)
    assert [(e.level, e.due_at, e.reached) for e in ladder] == [
        (1, 10.0, True),
        (2, 28.0, True),
        (3, 46.0, True),
        (4, 82.0, False),
    ]


def test_p1_stays_with_the_on_call_engineer_for_two_hours() -> None:
    ladder = runbook.escalation("P1", began_at=0.0, until=7199.0, time_scale=1.0)
    assert [e.level for e in ladder if e.reached] == [1]
    assert ladder[1].due_at == 7200.0


def test_p2_and_p3_have_no_escalation_rule_and_no_alert_pages_nobody() -> None:
    assert [e.level for e in runbook.escalation("P2", 0.0, 10**6, 1.0)] == [1]
    doc = runbook.escalation_document(None, None, None, 100.0, 1.0)
    assert doc["level"] is None and doc["rule"] == "no alert fired: nobody was paged"


def test_escalation_document_names_the_level_reached_while_unresolved() -> None:
    doc = runbook.escalation_document("P0", 5.0, None, 5.0 + 1800 * 0.05, 0.05)
    assert (doc["level"], doc["name"], doc["resolved_at"]) == (2, "Senior Engineering", None)


def test_messages_are_filled_with_service_severity_times_and_eta() -> None:
    comms = runbook.communications(ResultDocument.model_validate(document()))
    assert "Severity: P0" in comms["internal_alert"]
    assert "Status: Resolved" in comms["internal_alert"]
    assert "We're currently experiencing issues with sample (Customer order creation)." in comms["customer"]
    assert "Estimated fix time: 2026-11-26 17:15:08 UTC" in comms["customer"]
    assert [u["status"] for u in comms["status_page"]] == ["Investigating", "Identified", "Fix deployed", "Resolved"]
    assert comms["resolution"].startswith("The issue affecting sample (Customer order creation) has been resolved")
    assert comms["include_postmortem"] is True


def test_schedule_deadlines_scaled_and_judged_against_the_timeline() -> None:
    # Disrupted at 8.55 s, recovered at 1000.1 s, time_scale 0.05: the "15 minute" status page
    # is due at 53.55 s, the 30-minute email at 98.55 s, the social update at 188.55 s.
    rows = {r["action"]: r for r in runbook.communications(ResultDocument.model_validate(document()))["schedule"]}
    assert rows["Internal team notification"]["outcome"] == "met: sent when the alert fired"
    assert rows["Status page update"]["due_at"] == 53.55
    assert rows["Status page update"]["outcome"] == "met: posted when the alert fired"
    assert rows["Customer email"]["outcome"] == "due: owed by this time"
    assert rows["Social media update"]["due_at"] == 188.55
    # 991.55 s open at 180 s per scaled hour: five progress updates were owed.
    assert rows["Hourly progress updates until resolved"]["outcome"] == "5 update(s) owed"


def test_schedule_for_a_short_incident_and_a_late_alert() -> None:
    m = document()["measurements"] | {"detected_at": 80.0, "recovered_at": 90.0}
    rows = {
        r["action"]: r
        for r in runbook.communications(ResultDocument.model_validate(document(measurements=m)))["schedule"]
    }
    assert rows["Status page update"]["outcome"] == "missed: the alert came later"
    assert rows["Customer email"]["outcome"] == "not reached: resolved earlier"
    admin = {
        r["action"]: r
        for r in runbook.communications(ResultDocument.model_validate(document(tier="admin", severity="P1")))[
            "schedule"
        ]
    }
    assert admin["Status page update"]["outcome"] == "not needed (customer-facing only)"
    assert admin["Customer email"]["outcome"] == "not needed (major outage only)"


def test_no_disruption_owes_no_communication() -> None:
    m = dict.fromkeys(document()["measurements"])
    comms = runbook.communications(ResultDocument.model_validate(document(measurements=m)))
    assert comms["schedule"] == [] and comms["status_page"] == [] and comms["resolution"] is None
