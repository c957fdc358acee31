"""A team's rules on a scaled drill's clock: durations scaled, floors kept, strings untouched."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
import yaml

from drillbook.drills.observe import alerts as alert_rules
from drillbook.drills.observe.monitoring import promtool, scaling
from drillbook.drills.observe.monitoring.paths import RUNBOOK_RULES
from drillbook.errors import DrillbookError

EVERY = scaling.intervals(0.05)


@pytest.mark.parametrize(("text", "seconds"), [("5m", 300), ("90m", 5400), ("2h", 7200), ("500ms", 0.5), ("0s", 0)])
def test_durations_read_and_write_back(text: str, seconds: float) -> None:
    assert scaling.parse_duration(text) == seconds
    assert scaling.format_duration(seconds) == text


def test_units_add_up() -> None:
    assert scaling.parse_duration("1h30m15s") == 5415


def test_a_word_is_not_a_duration() -> None:
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        scaling.parse_duration("five minutes")


def test_the_intervals_have_a_floor() -> None:
    assert scaling.intervals(0.05) == scaling.Intervals(1.0, 1.0)
    assert scaling.intervals(0.5) == scaling.Intervals(7.5, 7.5)


def test_ranges_subqueries_and_offsets_scale_but_label_values_do_not() -> None:
    expr = 'rate(http_requests_total{path=~"/v1/[a-z]+", window="[5m]"}[5m] offset 1h) > max_over_time(up[1h:1m])'
    assert scaling.scale_expr(expr, 0.05, EVERY) == (
        'rate(http_requests_total{path=~"/v1/[a-z]+", window="[5m]"}[15s] offset 3m) > max_over_time(up[3m:3s])'
    )


def test_a_range_keeps_enough_scrapes() -> None:
    assert scaling.scale_expr("rate(x[30s])", 0.05, EVERY) == "rate(x[4s])"


def test_rules_scaled_and_each_rewrite_listed() -> None:
    team: dict[str, Any] = {
        "groups": [
            {
                "name": "returnit-api",
                "interval": "30s",
                "rules": [
                    {"alert": "ReturnItAPIErrors", "expr": "rate(errors_total[5m]) > 1", "for": "10m"},
                    {"alert": "ReturnItDown", "expr": "up == 0", "for": "10s"},
                    {"record": "job:errors:rate5m", "expr": "rate(errors_total[5m])"},
                ],
            }
        ]
    }
    scaled, rewrites = scaling.scale_rules(team, 0.05, EVERY)
    rules = scaled["groups"][0]["rules"]
    assert scaled["groups"][0]["interval"] == "1500ms"
    assert rules[0]["for"] == "30s" and rules[0]["expr"] == "rate(errors_total[15s]) > 1"
    assert rules[1]["for"] == "1s"  # 0.5 s would be shorter than an evaluation
    assert [(r.rule, r.field, r.before, r.after) for r in rewrites] == [
        ("", "interval", "30s", "1500ms"),
        ("ReturnItAPIErrors", "for", "10m", "30s"),
        ("ReturnItAPIErrors", "expr", "rate(errors_total[5m]) > 1", "rate(errors_total[15s]) > 1"),
        ("ReturnItDown", "for", "10s", "1s"),
        ("job:errors:rate5m", "expr", "rate(errors_total[5m])", "rate(errors_total[15s])"),
    ]
    assert team["groups"][0]["rules"][0]["for"] == "10m"  # the team's document is not changed


def test_nothing_is_rewritten_at_full_scale() -> None:
    team = yaml.safe_load(RUNBOOK_RULES.read_text())
    scaled, rewrites = scaling.scale_rules(team, 1.0, scaling.intervals(1.0))
    assert scaled == team and rewrites == []


def test_the_shipped_rules_are_the_runbooks_five_triggers() -> None:
    shipped = yaml.safe_load(RUNBOOK_RULES.read_text())["groups"][0]["rules"]
    by_name = {r["alert"]: r for r in shipped}
    assert set(by_name) == set(alert_rules.rule_names())
    for rule in alert_rules.RULES:
        written = by_name[rule.name]
        assert scaling.parse_duration(written.get("for", "0s")) == rule.window_s
        assert written["labels"]["severity"] == rule.severity


def test_promtool_checks_the_shipped_rules() -> None:
    promtool.check_rules(RUNBOOK_RULES)


def test_a_rules_file_promtool_refuses_is_refused_with_its_message(tmp_path: pathlib.Path) -> None:
    broken = tmp_path / "alerts.yml"
    broken.write_text("groups:\n  - name: api\n    rules:\n      - alert: Down\n        expr: up ==\n")
    with pytest.raises(DrillbookError, match=r"(?s)alerts\.yml does not load: promtool says:.*parse error"):
        promtool.check_rules(broken)
