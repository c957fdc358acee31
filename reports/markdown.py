"""A Markdown summary of one drill, fit for a CI job summary or a PR comment."""

from __future__ import annotations

from typing import Any

from reports import html, words

INSTANTS = (
    "injected_at",
    "disrupted_at",
    "detected_at",
    "recovered_at",
    "downtime_s",
    "time_to_detect_s",
    "time_to_recover_s",
    "rpo_s",
)
COUNTS = ("acked_writes", "lost_writes", "lost_after_injection")


def render(doc: dict[str, Any]) -> str:
    template = html.environment(autoescape=False).get_template("summary.md.j2")
    return template.render(doc=doc, instants=INSTANTS, counts=COUNTS, headline=words.headline(doc))
