"""A Markdown summary of one drill, fit for a CI job summary or a PR comment."""

from __future__ import annotations

from typing import Any

from drillbook.contract import COUNTS, INSTANTS, ResultDocument
from drillbook.reports import html, team_alerts, words


def render(doc: dict[str, Any]) -> str:
    result = ResultDocument.model_validate(doc)
    template = html.environment(autoescape=False).get_template("summary.md.j2")
    return template.render(
        doc=doc,
        instants=INSTANTS,
        counts=COUNTS,
        headline=words.headline(result),
        outages=words.outage_lines(result),
        stream=words.stream_lines(result),
        deploys=words.deploy_lines(result),
        mon=result.monitoring,
        mon_rows=team_alerts.rows(result),
        mon_headline=team_alerts.headline(result),
        mon_counts=team_alerts.counts(result.monitoring) if result.monitoring else "",
    )
