"""Firings from Prometheus's raw ALERTS samples and the sink's deliveries, on the drill's clock."""

from __future__ import annotations

from drillbook.drills.observe.monitoring.collect import firings
from drillbook.drills.observe.monitoring.monitor import Delivery

ORIGIN = 1_000_000.0


def _clock(unix: float) -> float:
    return unix - ORIGIN


def test_a_gap_of_more_than_one_evaluation_is_a_resolution_and_a_new_firing() -> None:
    labels = {"__name__": "ALERTS", "alertname": "Burn", "alertstate": "firing", "team": "returns"}
    instants = [ORIGIN + t for t in (10.0, 11.0, 12.0, 20.0, 21.0)]
    delivered = Delivery(10.9, "returns-oncall", "firing", (("alertname", "Burn"), ("team", "returns")))
    out = firings([(labels, instants)], [delivered], 1.0, _clock, last_evaluation=21.5)
    assert [(f.fired_at, f.resolved_at) for f in out] == [(10.0, 13.0), (20.0, None)]  # the second still fires
    assert out[0].delivered_at == 10.9 and out[0].receiver == "returns-oncall"
    assert out[0].labels == (("team", "returns"),) and not out[0].runbook


def test_the_runbook_rules_are_told_from_the_teams_and_a_resolved_notice_is_not_a_page() -> None:
    labels = {"alertname": "database_down", "alertstate": "firing", "drillbook_rules": "runbook"}
    resolved = Delivery(12.0, "drillbook-runbook", "resolved", (("alertname", "database_down"),))
    (only,) = firings([(labels, [ORIGIN + 5.0])], [resolved], 1.0, _clock, last_evaluation=30.0)
    assert only.runbook and only.delivered_at is None and only.resolved_at == 6.0


def test_an_alert_alertmanager_held_back_says_why() -> None:
    labels = {"alertname": "Burn", "alertstate": "firing", "team": "returns"}
    held: dict[tuple[tuple[str, str], ...], str] = {
        (("alertname", "Burn"), ("severity", "page"), ("team", "returns")): "inhibited by DbDown"
    }
    (only,) = firings([(labels, [ORIGIN + 5.0])], [], 1.0, _clock, last_evaluation=30.0, suppressed=held)
    assert only.suppressed == "inhibited by DbDown" and only.delivered_at is None
