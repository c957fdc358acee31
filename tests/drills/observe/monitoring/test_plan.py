"""A drill's `monitoring:` section checked and turned into files, without an engine: the
refusals name the drill file's line (or pass promtool's message on), and the files the
replica's Prometheus and Alertmanager get are the ones their own checkers accept."""

from __future__ import annotations

import pathlib
import shutil

import pytest
import yaml

from drillbook.drills import resolve, spec
from drillbook.drills.observe.monitoring import promtool
from drillbook.drills.observe.monitoring.plan import RUNBOOK_LABEL, RUNBOOK_RECEIVER, Plan
from drillbook.errors import DrillbookError, SpecError
from drillbook.scenarios import REGISTRY
from tests.conftest import CATALOG


def _copy(tmp_path: pathlib.Path, **monitoring_changes: object) -> pathlib.Path:
    shutil.copytree(CATALOG / "monitoring", tmp_path / "monitoring")
    doc = yaml.safe_load((CATALOG / "db-outage-monitored.yaml").read_text())
    doc["monitoring"] = {**doc["monitoring"], **monitoring_changes}
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _plan(path: pathlib.Path) -> Plan:
    loaded = spec.load(path)
    chosen = resolve.planned(loaded, REGISTRY.get("db_outage"))
    assert chosen is not None
    return chosen


def test_the_catalog_drill_plans_files_that_prometheus_accepts(tmp_path: pathlib.Path) -> None:
    chosen = _plan(_copy(tmp_path))
    assert chosen.expected == ("ReturnsDatabaseUnreachable", "ReturnsCheckoutFailing")
    assert chosen.every.scrape_s == 1.0  # 15 s × 0.05 is below the floor
    folder = tmp_path / "etc"
    folder.mkdir()
    for name, data in chosen.files.items():
        (folder / name).write_bytes(data)
    config = yaml.safe_load(chosen.files["prometheus.yml"])
    config["rule_files"] = [str(folder / "team-rules.yml"), str(folder / "runbook-rules.yml")]
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
    code, output = promtool.run("check", "config", str(folder / "prometheus.yml"))
    assert code == 0, output
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    assert jobs["app"]["static_configs"][0]["targets"] == ["app:8080"]
    assert jobs["drillbook"]["honor_labels"] is True


def test_the_teams_receivers_become_the_sink_under_their_own_names(tmp_path: pathlib.Path) -> None:
    am = yaml.safe_load(_plan(_copy(tmp_path)).files["alertmanager.yml"])
    names = {r["name"]: r for r in am["receivers"]}
    assert set(names) == {"returns-oncall", "returns-tickets", RUNBOOK_RECEIVER}
    assert all(list(r) == ["name", "webhook_configs"] for r in names.values())  # no pagerduty, no email
    assert names["returns-oncall"]["webhook_configs"][0]["url"].endswith("/returns-oncall")
    assert am["inhibit_rules"][0]["source_matchers"] == ['alertname="ReturnsDatabaseUnreachable"']
    first = am["route"]["routes"][0]
    assert first["receiver"] == RUNBOOK_RECEIVER and first["matchers"] == [f'{RUNBOOK_LABEL}="runbook"']
    assert am["route"]["group_wait"] == "1500ms" and am["route"]["routes"][1]["group_wait"] == "1s"


def test_the_runbook_rules_are_marked_as_drillbooks(tmp_path: pathlib.Path) -> None:
    rules = yaml.safe_load(_plan(_copy(tmp_path)).files["runbook-rules.yml"])["groups"][0]["rules"]
    assert {r["alert"] for r in rules} >= {"database_down", "health_check_fail"}
    assert all(r["labels"][RUNBOOK_LABEL] == "runbook" for r in rules)
    assert next(r for r in rules if r["alert"] == "health_check_fail")["for"] == "6s"


def test_without_expect_the_scenarios_triggers_find_the_rules_by_label(tmp_path: pathlib.Path) -> None:
    path = _copy(tmp_path)
    doc = yaml.safe_load(path.read_text())
    del doc["monitoring"]["expect"]
    path.write_text(yaml.safe_dump(doc))
    assert set(_plan(path).expected) == {
        "ReturnsApiUnreachable",
        "ReturnsCheckoutFailing",
        "ReturnsDatabaseUnreachable",
    }


def test_a_scrape_target_the_target_does_not_have_is_refused_on_its_line(tmp_path: pathlib.Path) -> None:
    path = _copy(tmp_path, scrape=[{"service": "api", "port": 9100}])
    with pytest.raises(SpecError, match=r"drill\.yaml:\d+: monitoring\.scrape names the service 'api'.*app, db"):
        _plan(path)


def test_a_rules_file_promtool_refuses_is_refused_with_promtools_words(tmp_path: pathlib.Path) -> None:
    path = _copy(tmp_path)
    (tmp_path / "monitoring" / "returns-alerts.yml").write_text(
        "groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: rate(up[5m]\n"
    )
    with pytest.raises(DrillbookError, match=r"does not load: promtool says:(.|\n)*parse error"):
        _plan(path)


def test_an_expected_alert_no_rule_raises_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match=r"monitoring\.expect names 'ReturnsDiskFull', which no rule"):
        _plan(_copy(tmp_path, expect=["ReturnsDiskFull"]))


def test_a_route_to_an_undefined_receiver_is_refused(tmp_path: pathlib.Path) -> None:
    path = _copy(tmp_path)
    am = tmp_path / "monitoring" / "alertmanager.yml"
    am.write_text(am.read_text().replace("- name: returns-tickets", "- name: returns-queue"))
    with pytest.raises(SpecError, match=r"routes to 'returns-tickets', which its `receivers:` do not define"):
        _plan(path)


def test_a_missing_rules_file_is_refused_on_the_line_that_names_it(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match=r"drill\.yaml:\d+: Cannot read the Prometheus rules file"):
        _plan(_copy(tmp_path, rules="monitoring/nope.yml"))


def test_detection_by_monitoring_needs_a_monitoring_section(tmp_path: pathlib.Path) -> None:
    doc = yaml.safe_load((CATALOG / "db-outage.yaml").read_text())
    doc["detect"] = {"by": "monitoring"}
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(SpecError, match=r"needs a `monitoring:` section"):
        spec.load(path)


def test_a_route_timing_that_is_no_duration_is_refused(tmp_path: pathlib.Path) -> None:
    path = _copy(tmp_path)
    am = tmp_path / "monitoring" / "alertmanager.yml"
    am.write_text(am.read_text().replace("group_wait: 30s", "group_wait: soon"))
    with pytest.raises(
        SpecError, match=r"drill\.yaml:\d+: The Alertmanager file .* 'soon' is not a Prometheus duration"
    ):
        _plan(path)
