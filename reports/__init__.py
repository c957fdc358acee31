"""Reports rendered from a result document (JSON) alone.

Nothing here imports the rest of drillbook: a stored result can be rendered
again later, on a machine with no Docker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports import html, junit, markdown, postmortem

FORMATS: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "html": ("report.html", html.render),
    "md": ("summary.md", markdown.render),
    "junit": ("junit.xml", junit.render),
    "postmortem": ("postmortem.md", postmortem.render),
}


def render_all(doc: dict[str, Any]) -> dict[str, str]:
    """Every format, by the file name `drillbook run` gives it."""
    return {filename: render(doc) for filename, render in FORMATS.values()}
