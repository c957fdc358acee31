"""Reports rendered from a result document (JSON) alone.

Nothing here imports the rest of drillbook: a stored result can be rendered
again later, on a machine with no Docker. The renderers (and Jinja2) load only
when a report is rendered, which keeps `drillbook run`'s start-up short.
"""

from __future__ import annotations

import importlib
from typing import Any

FORMATS: dict[str, tuple[str, str]] = {
    # format: (file name `drillbook run` gives it, module with its `render`)
    "html": ("report.html", "drillbook.reports.html"),
    "md": ("summary.md", "drillbook.reports.markdown"),
    "junit": ("junit.xml", "drillbook.reports.junit"),
    "postmortem": ("postmortem.md", "drillbook.reports.postmortem"),
}


def render(fmt: str, doc: dict[str, Any]) -> str:
    text: str = importlib.import_module(FORMATS[fmt][1]).render(doc)
    return text


def render_all(doc: dict[str, Any]) -> dict[str, str]:
    """Every format, by the file name `drillbook run` gives it."""
    return {filename: render(fmt, doc) for fmt, (filename, _module) in FORMATS.items()}
