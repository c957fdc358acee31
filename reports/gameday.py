"""A game day's index page and Markdown summary, from its record (gameday.json) alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import markupsafe

from drillbook.reports import bars, html


def index(gdoc: dict[str, Any], front: markupsafe.Markup | None = None) -> str:
    """The index; `front` is the readiness view over the whole history it ends with."""
    chart = markupsafe.Markup(downtime_bars(gdoc["drills"]))
    return html.environment(autoescape=True).get_template("gameday.html.j2").render(g=gdoc, chart=chart, front=front)


def summary(gdoc: dict[str, Any]) -> str:
    return html.environment(autoescape=False).get_template("gameday.md.j2").render(g=gdoc)


def downtime_bars(rows: Sequence[Mapping[str, Any]]) -> str:
    """Each drill's downtime against its RTO objective."""
    return bars.against_objective(
        [(str(r["name"]), r.get("downtime_s"), r.get("rto_target_s")) for r in rows],
        "Downtime per drill against its RTO objective",
    )
