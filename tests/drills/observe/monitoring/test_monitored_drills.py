"""The two monitored catalog drills, for real: the team's rules in a real Prometheus, its
routes in a real Alertmanager, delivered to the sink and read back with their times.

The database outage also expects a rule of the team's that cannot fire (the
API's scrape target stays up while its database is down), so the report must
say it was missed. Both drills show the shipped runbook rules firing within a
push, a scrape and an evaluation of drillbook's own rules.
"""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from drillbook.contract import ResultDocument
from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import CATALOG

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]


def _run(path: pathlib.Path, out: pathlib.Path) -> tuple[int, ResultDocument]:
    code = main(["run", str(path), "--out", str(out), "--history", str(out.parent / "history.db")])
    return code, ResultDocument.model_validate_json((out / "result.json").read_text())


def _outcome(doc: ResultDocument, rule: str) -> Any:
    assert doc.monitoring is not None
    return next(o for o in doc.monitoring.outcomes if o.rule == rule)


def test_a_database_outage_pages_on_call_and_a_rule_that_cannot_fire_is_missed(tmp_path: pathlib.Path) -> None:
    variant = spec.write_variant(
        CATALOG / "db-outage-monitored.yaml",
        tmp_path,
        "db-outage-monitored-missed",
        monitoring={"expect": ["ReturnsDatabaseUnreachable", "ReturnsApiUnreachable"]},
        # The page resolves in Prometheus's record about 7 s into verification, which a 5 s window
        # (6.9 s of verification) saw with 0.02 to 0.33 s to spare: 8 s leaves seconds.
        phases={"verify_window_s": 8},
    )
    code, doc = _run(variant, tmp_path / "out")
    assert code == ExitCode.OK, [c for c in doc.checks if not c.ok]
    m, injected = doc.monitoring, doc.measurements.injected_at
    assert m is not None and injected is not None
    fired = _outcome(doc, "ReturnsDatabaseUnreachable")
    assert fired.status == "fired" and fired.fired_at > injected
    assert fired.delivered_at is not None and fired.delivered_at >= fired.fired_at
    delivered = next(a for a in m.alerts if a.name == "ReturnsDatabaseUnreachable")
    assert delivered.receiver == "returns-oncall"  # the team's route for severity=page, really taken
    assert delivered.labels["team"] == "returns" and delivered.resolved_at is not None
    assert _outcome(doc, "ReturnsApiUnreachable").status == "missed"
    # The team's inhibition, as Alertmanager's API reports it: the error budget's page is held
    # back while the database alert fires (when the errors last long enough to fire it at all).
    for burn in (a for a in m.alerts if a.name == "ReturnsApiErrorBudgetBurn" and a.fired_at < delivered.resolved_at):
        assert burn.suppressed == "inhibited by ReturnsDatabaseUnreachable" and burn.delivered_at is None
    # Detection judged by the team's alerting: the first of its alerts is the reported detection.
    assert doc.measurements.detected_at == m.first_fired_at
    assert m.within_budget and m.paged_in_s is not None and m.paged_in_s <= m.budget_s
    _agree(doc, "database_down")
    on_timeline = [e.detail for e in doc.timeline if e.kind == "alert" and e.detail.startswith("your alert")]
    assert any("ReturnsDatabaseUnreachable firing" in line for line in on_timeline)
    report = (tmp_path / "out" / "report.html").read_text()
    assert "Your alerts" in report and "MISSED: expected, never fired" in report


def test_a_bad_deploy_fires_the_error_budget_rule_through_the_teams_routes(tmp_path: pathlib.Path) -> None:
    code, doc = _run(CATALOG / "bad-deploy-monitored.yaml", tmp_path / "out")
    assert code == ExitCode.OK, [c for c in doc.checks if not c.ok]
    assert doc.monitoring is not None
    burn = _outcome(doc, "ReturnsApiErrorBudgetBurn")
    assert burn.status == "fired" and burn.delivered_at is not None
    assert any(r.field == "for" and r.before == "1m" and r.after == "3s" for r in doc.monitoring.scaling)
    _agree(doc, "high_error_rate")


def _agree(doc: ResultDocument, rule: str) -> None:
    """The runbook rule in Prometheus and drillbook's rule fire together. The tolerance is the lag
    of a push, a scrape and an evaluation on time; on a loaded host one of them can come an
    evaluation late (2.9 s apart once against 2.5 s, on a machine half as fast). A rule translated
    with a wrong window or `for` would be off by that window's seconds, more than this allows."""
    assert doc.monitoring is not None
    pair = next(a for a in doc.monitoring.agreement if a.rule == rule)
    assert pair.apart_s is not None, f"Prometheus never fired {rule}"
    assert abs(pair.apart_s) <= doc.monitoring.tolerance_s + doc.monitoring.evaluation_interval_s, pair
