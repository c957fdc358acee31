"""Drill results as Prometheus gauges: written by prometheus-client, accepted by promtool."""

from __future__ import annotations

import datetime as dt
import pathlib

from prometheus_client.parser import text_string_to_metric_families

from drillbook.contract import ResultDocument
from drillbook.drills.campaigns.history import History
from drillbook.drills.cli import main
from drillbook.drills.observe.monitoring import promtool
from drillbook.reports import metrics
from tests.drills.campaigns.test_history import run_doc
from tests.reports.sample_result import document


def samples(text: str) -> dict[tuple[str, str], float]:
    """(metric, drill) -> value, read back with prometheus-client's own parser."""
    return {(s.name, s.labels["drill"]): s.value for f in text_string_to_metric_families(text) for s in f.samples}


def test_each_drill_keeps_its_newest_run_only() -> None:
    older, newer = run_doc(1, 9.5), run_doc(3, 0.5, verdict="failed")
    other = {**run_doc(2, 2.0), "drill": "bad-deploy", "scenario": "bad_deploy(release='1.1.0')"}
    text = metrics.render(ResultDocument.model_validate(d) for d in (newer, older, other))
    seen = samples(text)
    assert seen[("drillbook_downtime_seconds", "db-outage")] == 0.5
    assert seen[("drillbook_passed", "db-outage")] == 0.0
    assert seen[("drillbook_passed", "bad-deploy")] == 1.0
    assert seen[("drillbook_rto_target_seconds", "db-outage")] == 900
    started = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC).timestamp()  # a time with no zone is UTC
    assert seen[("drillbook_last_run_timestamp_seconds", "db-outage")] == started
    assert "bad_deploy(release='1.1.0')" in text


def test_a_figure_the_run_did_not_measure_is_left_out() -> None:
    doc = document()
    doc["measurements"] = {**doc["measurements"], "downtime_s": None}
    seen = samples(metrics.render([ResultDocument.model_validate(doc)]))
    assert ("drillbook_downtime_seconds", "db-outage") not in seen
    assert seen[("drillbook_lost_writes", "db-outage")] == 3


def test_promtool_accepts_the_exported_metrics() -> None:
    docs = [ResultDocument.model_validate(run_doc(i, 0.5 + i)) for i in range(3)]
    assert promtool.check_metrics(metrics.render(docs)) == ""


def test_promtool_would_reject_what_it_should() -> None:
    """The check can fail: a counter without its _total suffix is one promtool names."""
    text = "# HELP drillbook_runs Runs.\n# TYPE drillbook_runs counter\ndrillbook_runs 3\n"
    assert 'counter metrics should have "_total" suffix' in promtool.check_metrics(text)


def test_history_command_writes_the_metrics_file(tmp_path: pathlib.Path) -> None:
    store = History(tmp_path / "h.db")
    store.add(run_doc(1, 0.6), None)
    store.add(run_doc(2, 5.0), None)
    store.close()
    out = tmp_path / "drills.prom"
    assert main(["history", "--history", str(tmp_path / "h.db"), "--metrics", str(out)]) == 0
    assert samples(out.read_text())[("drillbook_downtime_seconds", "db-outage")] == 5.0


def test_history_metrics_into_a_missing_folder_is_refused_first(tmp_path: pathlib.Path, capsys: object) -> None:
    out = tmp_path / "nowhere" / "drills.prom"
    assert main(["history", "--history", str(tmp_path / "h.db"), "--metrics", str(out)]) == 2
    assert not out.exists()
