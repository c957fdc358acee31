"""The readiness page: recovery headroom per tier and drill, its trend, regressions first, and coverage.

Drawn from readiness.json alone (`drillbook/readiness_contract.py`), like every
other page.
"""

from __future__ import annotations

import markupsafe

from drillbook.readiness_contract import ReadinessDocument
from drillbook.reports import bars, history_page, html


def render(doc: ReadinessDocument) -> str:
    """The readiness page (readiness.html)."""
    return html.environment(autoescape=True).get_template("readiness.html.j2").render(**_context(doc))


def section(doc: ReadinessDocument) -> markupsafe.Markup:
    """The same view as a section, for the front of the history page and of a game day's index."""
    text = html.environment(autoescape=True).get_template("readiness_section.html.j2").render(**_context(doc))
    return markupsafe.Markup(text)


def _context(doc: ReadinessDocument) -> dict[str, object]:
    tiers: dict[str, list[dict[str, object]]] = {}
    for d in doc.drills:
        tiers.setdefault(d.tier, []).append(
            {
                "d": d,
                "downtime_trend": markupsafe.Markup(history_page.trend_svg(d.downtimes, d.rto_target_s, "downtime, s")),
                "rpo_trend": markupsafe.Markup(history_page.trend_svg(d.rpos, d.rpo_target_s, "RPO, s")),
            }
        )
    charts = {
        tier: (
            markupsafe.Markup(
                bars.against_objective(
                    [(r.drill, r.downtime_s, r.rto_target_s) for r in doc.drills if r.tier == tier],
                    f"Downtime against the RTO objective, {tier}",
                )
            ),
            markupsafe.Markup(
                bars.against_objective(
                    [(r.drill, r.rpo_s, r.rpo_target_s) for r in doc.drills if r.tier == tier],
                    f"RPO against the RPO objective, {tier}",
                )
            ),
        )
        for tier in tiers
    }
    regressed = [d for d in doc.drills if d.regressions]
    return {"doc": doc, "tiers": tiers, "charts": charts, "regressed": regressed}
