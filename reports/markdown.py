"""A Markdown summary of one drill, fit for a CI job summary or a PR comment."""

from __future__ import annotations

from typing import Any

import jinja2

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
VERDICT_WORDS = {
    "passed": "✅ passed — every recovery objective was met",
    "failed": "❌ failed — an objective or a check was missed",
    "error": "⚠️ error — the drill could not run to the end",
    "interrupted": "⏹ interrupted — stopped by a signal; the replica was torn down",
}


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def duration(value: float | None) -> str:
    """Objectives read best in the unit the runbook states them in."""
    if value is None:
        return "—"
    if value >= 3600:
        return f"{value / 3600:.4g} h"
    if value >= 60:
        return f"{value / 60:.4g} min"
    return f"{value:.2f} s"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=False,  # Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["seconds"] = seconds
    env.filters["duration"] = duration
    return env


def render(doc: dict[str, Any]) -> str:
    template = _environment().get_template("summary.md.j2")
    return template.render(doc=doc, instants=INSTANTS, counts=COUNTS, verdict_words=VERDICT_WORDS)
