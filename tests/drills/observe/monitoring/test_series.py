"""The runbook's rules file agrees with drillbook's rules, on series recorded from real drills.

Each recording is a real drill's result (db-outage, memory-leak and bad-deploy
of the catalog, run on this machine), trimmed to what the series need.
`promtool test rules` then runs Prometheus's own rule engine on them.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
import yaml

from drillbook.contract import ResultDocument
from drillbook.drills.observe.monitoring import promtool, scaling, series
from drillbook.drills.observe.monitoring.paths import RUNBOOK_RULES

RECORDED = pathlib.Path(__file__).parent / "recorded"


def recording(name: str) -> ResultDocument:
    return ResultDocument.model_validate(json.loads((RECORDED / f"{name}.json").read_text()))


def rules_for(doc: ResultDocument) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The shipped rules on the drill's clock: scaled, and with the drill's own windows where it set them."""
    shipped = yaml.safe_load(RUNBOOK_RULES.read_text())
    scaled, _ = scaling.scale_rules(shipped, doc.time_scale, scaling.intervals(doc.time_scale))
    windows = {a.rule: float(a.window_s) for a in doc.alerts if a.window_s is not None}
    rules: list[dict[str, Any]] = scaled["groups"][0]["rules"]
    for rule in rules:
        if rule["alert"] in windows:
            # A window shorter than one evaluation is seen by one evaluation: `for: 0s`.
            window = windows[rule["alert"]]
            rule["for"] = scaling.format_duration(window if window >= series.STEP_S else 0.0)
    return scaled, rules


@pytest.mark.parametrize(
    ("drill", "rule"),
    [("db-outage", "database_down"), ("memory-leak", "memory_exhaustion"), ("bad-deploy", "high_error_rate")],
)
def test_prometheus_fires_what_drillbook_fired_within_a_scrape_and_an_evaluation(
    drill: str, rule: str, tmp_path: pathlib.Path
) -> None:
    doc = recording(drill)
    assert [a.rule for a in doc.alerts] == [rule]
    rules, written = rules_for(doc)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    outcomes = []
    for lag in range(-1, series.LAG_STEPS + 1):
        test = series.promtool_test(doc, "rules.yaml", written, lag)
        if not [c for c in test["tests"][0]["alert_rule_test"] if c["alertname"] == rule and c["exp_alerts"]]:
            continue  # the condition no longer holds that many steps on: nothing to see firing
        (tmp_path / "test.yaml").write_text(yaml.safe_dump(test))
        outcomes.append(promtool.run("test", "rules", str(tmp_path / "test.yaml")))
    assert outcomes, "the recording must show the rule's condition holding when drillbook fired it"
    assert any(code == 0 and "SUCCESS" in output for code, output in outcomes), outcomes[-1][1]


def test_a_rule_that_fires_earlier_than_drillbook_fails_the_comparison(tmp_path: pathlib.Path) -> None:
    """The check can fail: with a `for:` far shorter than drillbook's window, Prometheus fires early."""
    doc = recording("bad-deploy")
    rules, written = rules_for(doc)
    for rule in written:
        if rule["alert"] == "high_error_rate":
            rule["for"] = "0s"
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    for lag in range(-1, series.LAG_STEPS + 1):
        (tmp_path / "test.yaml").write_text(yaml.safe_dump(series.promtool_test(doc, "rules.yaml", written, lag)))
        code, output = promtool.run("test", "rules", str(tmp_path / "test.yaml"))
        assert code != 0
        assert "alertname: high_error_rate" in output


def test_a_probe_series_holds_its_last_answer_until_the_next() -> None:
    doc = recording("db-outage")
    database = next(s for s in series.recorded(doc) if s.selector == 'drillbook_probe_up{probe="database"}')
    injected = doc.measurements.injected_at
    assert injected is not None
    fault_step = int(injected // series.STEP_S) + 1
    assert database.values[fault_step - 2] == 1
    assert 0 in database.values[fault_step : fault_step + 3]
    assert database.values[0] is None  # nothing observed before the first probe
