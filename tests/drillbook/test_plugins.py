"""The registry and the argument check that runs before any fault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from drillbook.errors import PluginError
from drillbook.plugins import Registry, check_arguments
from recovery import REGISTRY as PROCEDURES
from scenarios import REGISTRY as SCENARIOS


def fault(replica: object, mode: Literal["a", "b"] = "a", seconds: float = 1.0, label: str = "") -> None:
    """A stand-in plug-in function; only its signature matters here."""


def test_arguments_bind_to_the_signature_after_the_replica() -> None:
    check_arguments("scenario", "f", fault, 1, {"mode": "b", "seconds": 2})
    with pytest.raises(PluginError, match="does not accept"):
        check_arguments("scenario", "f", fault, 1, {"colour": "red"})
    with pytest.raises(PluginError, match="one of 'a', 'b'"):
        check_arguments("scenario", "f", fault, 1, {"mode": "c"})
    with pytest.raises(PluginError, match="must be a number"):
        check_arguments("scenario", "f", fault, 1, {"seconds": True})
    with pytest.raises(PluginError, match="must be text"):
        check_arguments("scenario", "f", fault, 1, {"label": 5})


def test_dataclass_options_are_checked_the_same_way() -> None:
    @dataclass(frozen=True)
    class Options:
        timeout_s: float = 1.0

    check_arguments("procedure", "p", Options, 0, {"timeout_s": 3})
    with pytest.raises(PluginError, match="must be a number"):
        check_arguments("procedure", "p", Options, 0, {"timeout_s": "3"})


def test_builtins_are_found_by_name() -> None:
    assert SCENARIOS.get("db_outage").expected_recovery == "restart_database"
    assert "restart_database" in PROCEDURES.names()
    assert next(s.name for s in PROCEDURES.get("restart_database").steps) == "restart database container"


def test_registered_plugins_and_unknown_names() -> None:
    @dataclass(frozen=True)
    class Thing:
        name: str
        description: str

    registry: Registry[Thing] = Registry("thing", "drillbook.tests.things", {}, "THING")
    registry.register(Thing("mine", "a test thing"))
    assert registry.get("mine").description == "a test thing"
    with pytest.raises(PluginError, match=r"Unknown thing 'other'.*mine"):
        registry.get("other")
