"""The guide's incidents as data, and the built-in scenarios' claims on them."""

from __future__ import annotations

from drillbook.scenarios import REGISTRY as SCENARIOS
from drillbook.scenarios.incidents import BY_KEY, INCIDENTS, unknown


def test_every_builtin_scenario_rehearses_incidents_of_the_guide() -> None:
    for name in SCENARIOS.names():
        rehearses = SCENARIOS.get(name).rehearses
        assert rehearses, f"{name} names no incident it rehearses"
        assert unknown(rehearses) == [], name


def test_the_guide_examples_are_all_there() -> None:
    assert len([i for i in INCIDENTS if i.source.startswith("Severity")]) == 16
    assert {"redis-down", "websockets-down", "security-breach"} <= set(BY_KEY)
    assert not BY_KEY["cosmetic-bugs"].recoverable
