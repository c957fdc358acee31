"""The registry and the argument check that runs before any fault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from drillbook.errors import PluginError
from drillbook.plugins import Registry, check_arguments
from drillbook.recovery import REGISTRY as PROCEDURES
from drillbook.scenarios import REGISTRY as SCENARIOS


def fault(replica: object, mode: Literal["a", "b"] = "a", seconds: float = 1.0, label: str = "") -> None:
    """A stand-in plug-in function; only its signature matters here."""


def test_arguments_bind_to_the_signature_after_the_replica() -> None:
    check_arguments("scenario", "f", fault, 1, {"mode": "b", "seconds": 2})
    with pytest.raises(PluginError, match="does not accept"):
        check_arguments("scenario", "f", fault, 1, {"colour": "red"})
    with pytest.raises(PluginError, match="takes one of 'a', 'b'"):
        check_arguments("scenario", "f", fault, 1, {"mode": "c"})
    with pytest.raises(PluginError, match="takes a number"):
        check_arguments("scenario", "f", fault, 1, {"seconds": True})
    with pytest.raises(PluginError, match="takes text"):
        check_arguments("scenario", "f", fault, 1, {"label": 5})


def deep(
    replica: object,
    service: str | None = None,
    env: dict[str, str] | None = None,
    statements: list[str] = [],  # noqa: B006 - a signature to check, never called
    connections: int = 1,
    size_mb: float = 1.0,
) -> None:
    """A plug-in with the annotations the built-ins use."""


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"service": {"name": "db"}}, "service={'name': 'db'}"),
        ({"env": "A=1"}, "env='A=1'"),
        ({"env": {"A": 1}}, "(at A)"),
        ({"statements": ["ok", 3]}, "(at 1)"),
        ({"connections": "many"}, "takes a whole number"),
        ({"connections": 2.5}, "takes a whole number"),
        ({"size_mb": [1]}, "takes a number"),
        ({"size_mb": float("nan")}, "finite"),
        ({"size_mb": float("inf")}, "finite"),
    ],
)
def test_arguments_are_checked_against_the_full_annotation(params: dict[str, object], words: str) -> None:
    with pytest.raises(PluginError, match="Fix the `with:` section") as caught:
        check_arguments("scenario", "deep", deep, 1, params, lambda p: "drill.yaml:7: ")
    assert words in str(caught.value) and str(caught.value).startswith("drill.yaml:7: ")


def test_good_arguments_of_every_shape_pass() -> None:
    check_arguments(
        "scenario", "deep", deep, 1, {"service": None, "env": {"A": "1"}, "statements": ["x"], "size_mb": 3}
    )


def test_dataclass_options_are_checked_the_same_way() -> None:
    @dataclass(frozen=True)
    class Options:
        timeout_s: float = 1.0

    check_arguments("procedure", "p", Options, 0, {"timeout_s": 3})
    with pytest.raises(PluginError, match="takes a number"):
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
