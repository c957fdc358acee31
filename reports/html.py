"""The HTML report: one self-contained file (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe

from drillbook.contract import COUNTS, INSTANTS, ResultDocument
from drillbook.reports import chart, placement, runbook, team_alerts, words


def environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("drillbook.reports", "templates"),
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["seconds"] = words.seconds
    env.filters["duration"] = words.duration
    env.filters["headroom"] = words.headroom
    env.filters["percent"] = lambda v: "—" if v is None else f"{100 * v:.2f}%"
    return env


def render(doc: dict[str, Any]) -> str:
    result = ResultDocument.model_validate(doc)
    return (
        environment(autoescape=True)
        .get_template("report.html.j2")
        .render(
            doc=doc,
            headline=words.headline(result),
            outages=words.outage_lines(result),
            stream=words.stream_lines(result),
            deploys=words.deploy_lines(result),
            chart=markupsafe.Markup(chart.render(result)),
            placement=markupsafe.Markup(placement.render(result)),
            budgets=runbook.budgets(result),
            continuity=runbook.continuity(result),
            severity=runbook.SEVERITIES.get(result.severity or ""),
            missing=_missing(result),
            instants=INSTANTS,
            counts=COUNTS,
            mon=result.monitoring,
            mon_rows=team_alerts.rows(result),
            mon_headline=team_alerts.headline(result),
            mon_counts=team_alerts.counts(result.monitoring) if result.monitoring else "",
        )
    )


def _missing(doc: ResultDocument) -> list[str]:
    """What a partial result lacks, said plainly rather than shown as empty tables."""
    missing = []
    if doc.incomplete:
        missing.append("the measurements, objectives and data check: the harness stopped before them")
    m = doc.measurements
    if not doc.incomplete and m.injected_at is None:
        missing.append("everything after provisioning: no fault was injected")
    elif m.lost_writes is None and not doc.incomplete:
        missing.append("the data check: the database could not be queried at the end")
    if not doc.samples.traffic:
        missing.append("traffic samples")
    return missing
