"""A rehearsal's score: how the engineer did, beside what the drill measured."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    step: int
    name: str
    ticked_at: float | None
    hinted: bool


@dataclass(frozen=True)
class Score:
    engineer: str
    handed_over_at: float
    acknowledged_at: float | None
    time_to_acknowledge_s: float | None
    """From the alert to the engineer's key press."""
    recovered_by: str
    """"engineer", or why the harness did it ("harness: timeout", "harness: engineer gave up")."""
    checklist: tuple[ChecklistItem, ...]
    skipped: tuple[str, ...]
    hints: int
    commands: tuple[tuple[float, str], ...]
