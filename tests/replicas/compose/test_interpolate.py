"""Interpolation as the Compose Specification states it, case by case."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import SpecError
from drillbook.replicas.compose.interpolate import MissingVariable, dotenv, substitute

ENV = {"SET": "value", "EMPTY": "", "PORT": "9000"}


def sub(text: str) -> str:
    return substitute(text, ENV, lambda: "compose.yaml:3: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$SET and ${SET}", "value and value"),
        ("${UNSET}", ""),
        ("${UNSET:-fallback} ${EMPTY:-fallback} ${SET:-fallback}", "fallback fallback value"),
        ("${UNSET-fallback} ${EMPTY-fallback}", "fallback "),
        ("${SET:+other} ${EMPTY:+other} ${UNSET+other} ${EMPTY+other}", "other   other"),
        ("$$SET costs $$5", "$SET costs $5"),
        ("${UNSET:-${PORT}}", "9000"),
        ("${UNSET:-http://db:${PORT:-5432}/x}", "http://db:9000/x"),
        ("a $ alone, $1", "a $ alone, $1"),
    ],
)
def test_the_specifications_forms(text: str, expected: str) -> None:
    assert sub(text) == expected


def test_a_required_variable_names_the_line_and_its_message() -> None:
    with pytest.raises(MissingVariable, match=r"compose.yaml:3: the variable DB_PASSWORD is not set: set it in \.env"):
        sub("${DB_PASSWORD:?set it in .env}")
    with pytest.raises(MissingVariable, match="the variable EMPTY is empty"):
        sub("${EMPTY:?}")
    assert sub("${EMPTY?}") == ""  # `?` without `:` only refuses an unset variable


def test_malformed_interpolations_are_refused() -> None:
    with pytest.raises(SpecError, match="unclosed"):
        sub("${SET")
    with pytest.raises(SpecError, match="not an interpolation Compose knows"):
        sub("${SET:=x}")


def test_a_dotenv_file(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".env").write_text(
        "# the project's values\nexport A=1\nB = two words # a comment\nC='single $kept'\nD=\"line\\nbreak\"\n\n"
    )
    assert dotenv(tmp_path / ".env") == {"A": "1", "B": "two words", "C": "single $kept", "D": "line\nbreak"}
    assert dotenv(tmp_path / "missing.env") == {}
    (tmp_path / "bad.env").write_text("not a line\n")
    with pytest.raises(SpecError, match=r"bad.env:1: not a `KEY=VALUE` line"):
        dotenv(tmp_path / "bad.env")
