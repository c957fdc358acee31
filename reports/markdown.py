"""A Markdown summary of one drill, fit for a CI job summary or a PR comment."""

from __future__ import annotations

from typing import Any

from drillbook.contract import COUNTS, INSTANTS
from drillbook.reports import html, words


def render(doc: dict[str, Any]) -> str:
    template = html.environment(autoescape=False).get_template("summary.md.j2")
    return template.render(
        doc=doc,
        instants=INSTANTS,
        counts=COUNTS,
        headline=words.headline(doc),
        outages=words.outage_lines(doc),
        deploys=words.deploy_lines(doc),
    )
