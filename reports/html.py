"""The HTML report: one self-contained file (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe

from drillbook.contract import COUNTS, INSTANTS
from drillbook.reports import chart, runbook, words


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
    env.filters["percent"] = lambda v: "—" if v is None else f"{100 * v:.2f}%"
    return env


def render(doc: dict[str, Any]) -> str:
    return (
        environment(autoescape=True)
        .get_template("report.html.j2")
        .render(
            doc=doc,
            headline=words.headline(doc),
            outages=words.outage_lines(doc),
            deploys=words.deploy_lines(doc),
            chart=markupsafe.Markup(chart.render(doc)),
            budgets=runbook.budgets(doc),
            continuity=runbook.continuity(doc),
            severity=runbook.SEVERITIES.get(doc.get("severity") or ""),
            missing=_missing(doc),
            instants=INSTANTS,
            counts=COUNTS,
        )
    )


def _missing(doc: dict[str, Any]) -> list[str]:
    """What a partial result lacks, said plainly rather than shown as empty tables."""
    missing = []
    if doc.get("incomplete"):
        missing.append("the measurements, objectives and data check: the harness stopped before them")
    m = doc.get("measurements", {})
    if not doc.get("incomplete") and m.get("injected_at") is None:
        missing.append("everything after provisioning: no fault was injected")
    elif m.get("lost_writes") is None and not doc.get("incomplete"):
        missing.append("the data check: the database could not be queried at the end")
    if not doc.get("samples", {}).get("traffic"):
        missing.append("traffic samples")
    return missing
