"""The live status line's content (drawing it is rich's job)."""

from __future__ import annotations

import io

from rich.console import Console

from drillbook.drills.cli.live import LiveView, render
from drillbook.drills.run.runner import Status


def _text(status: Status | None) -> str:
    console = Console(width=200, record=True)
    console.print(render(status, "db-outage"))
    return console.export_text().strip()


def test_shows_phase_elapsed_load_and_alerts() -> None:
    line = _text(Status("detecting", 12.34, 80, 0.875, 41.6, ("database_down",)))
    assert line == "▶ db-outage  detecting    12.3 s  ok  87.5%      42 ms  80 req/5 s  alerts: database_down"


def test_before_the_load_starts() -> None:
    assert _text(None) == "▶ db-outage  starting…"
    assert "load: —" in _text(Status("provisioning", 1.0, 0, None, None, ()))


def test_not_drawn_when_the_output_is_not_a_terminal() -> None:
    console = Console(file=io.StringIO(), force_terminal=False)
    with LiveView(console, lambda: None, "x") as view:
        assert not view.enabled
