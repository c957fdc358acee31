"""The team's alerting judged: fired, missed, noise and quiet; the page against the budget."""

from __future__ import annotations

from drillbook.drills.judge.team_alerts import agreement, judge
from drillbook.drills.observe.monitoring.collect import Firing


def _firing(name: str, at: float, delivered: float | None = None, runbook: bool = False) -> Firing:
    return Firing(name, (), at, None, delivered, "oncall" if delivered else None, runbook)


RULES = ["DbDown", "Burn", "DiskFull", "Flappy"]


def test_each_rule_gets_its_verdict_and_the_page_is_judged_against_the_scaled_budget() -> None:
    seen = [
        _firing("Flappy", 2.0),
        _firing("DbDown", 12.0, 13.0),
        _firing("Burn", 14.0),
        _firing("x", 11.0, 11.5, True),
    ]
    judged = judge(RULES, ["DbDown", "DiskFull"], seen, injected_at=10.0, drillbook_detected_at=10.5, time_scale=0.05)
    status = {o.rule: o.status for o in judged.rules}
    assert status == {"DbDown": "fired", "Burn": "noise", "DiskFull": "missed", "Flappy": "noise"}
    db = next(o for o in judged.rules if o.rule == "DbDown")
    assert (db.after_fault_s, db.after_drillbook_s) == (2.0, 1.5)
    assert judged.first_alert == "DbDown" and judged.first_fired_at == 12.0  # the runbook rule is not the team's
    assert (judged.budget_s, judged.paged_in_s, judged.within_budget) == (15.0, 3.0, True)


def test_a_page_later_than_the_budget_and_its_floors_is_late() -> None:
    judged = judge(["DbDown"], ["DbDown"], [_firing("DbDown", 20.0, 27.5)], 10.0, 10.5, 0.02, allowance_s=1.4)
    assert judged.budget_s == 7.4 and judged.paged_in_s == 17.5 and judged.within_budget is False


def test_an_alert_that_fired_but_was_never_delivered_pages_no_one() -> None:
    judged = judge(["DbDown"], ["DbDown"], [_firing("DbDown", 12.0)], 10.0, None, 1.0)
    assert judged.rules[0].status == "fired" and judged.paged_at is None and judged.within_budget is False


def test_agreement_pairs_drillbooks_alerts_with_the_runbook_rules_in_prometheus() -> None:
    seen = [_firing("database_down", 11.3, runbook=True), _firing("database_down", 2.0)]
    pairs = agreement([("database_down", 9.8), ("health_check_fail", 15.0), ("never", None)], seen)
    assert [(p.rule, p.prometheus_at, p.apart_s) for p in pairs] == [
        ("database_down", 11.3, 1.5),
        ("health_check_fail", None, None),
    ]
