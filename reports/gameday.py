"""A game day's index page and Markdown summary, from its record (gameday.json) alone."""

from __future__ import annotations

from typing import Any

from drillbook.reports import html


def index(gdoc: dict[str, Any]) -> str:
    return html.environment(autoescape=True).get_template("gameday.html.j2").render(g=gdoc)


def summary(gdoc: dict[str, Any]) -> str:
    return html.environment(autoescape=False).get_template("gameday.md.j2").render(g=gdoc)
