"""Variables in a Compose file, as the Compose Specification's interpolation defines them.

`$VAR` and `${VAR}`; `${VAR:-default}` (unset or empty) and `${VAR-default}`
(unset); `${VAR:?message}` and `${VAR?message}` (an error); `${VAR:+other}` and
`${VAR+other}`; `$$` for a literal `$`. Defaults may hold variables themselves.
Values come from the process environment first, then the project's `.env`.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from drillbook.errors import SpecError

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class MissingVariable(SpecError):
    """A `${VAR:?message}` whose variable is not set (or empty)."""


def interpolate(value: Any, env: Mapping[str, str], where: Callable[[tuple[Any, ...]], str]) -> Any:
    """`value` (a parsed YAML document) with every string's variables substituted; `where(path)`
    names the file and line of a key path for a message."""

    def walk(node: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(node, str):
            return substitute(node, env, lambda: where(path))
        if isinstance(node, dict):
            return {k: walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        return node

    return walk(value, ())


def substitute(text: str, env: Mapping[str, str], where: Callable[[], str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$":
            out.append(char)
            i += 1
            continue
        following = text[i + 1 : i + 2]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "{":
            end = _closing(text, i + 2)
            if end < 0:
                fix = "close it with `}` (or write `$$` for a `$`)"
                raise SpecError(f"{where()}an unclosed `${{` in {text!r}: {fix}.")
            out.append(_braced(text[i + 2 : end], env, where))
            i = end + 1
        else:
            match = NAME.match(text, i + 1)
            if match is None:
                out.append("$")
                i += 1
            else:
                out.append(env.get(match.group(), ""))
                i = match.end()
    return "".join(out)


def _closing(text: str, start: int) -> int:
    """The `}` that closes a `${` whose body starts at `start`, across nested `${...}`."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _braced(body: str, env: Mapping[str, str], where: Callable[[], str]) -> str:
    match = NAME.match(body)
    if match is None:
        raise SpecError(f"{where()}`${{{body}}}` does not start with a variable name.")
    name, rest = match.group(), body[match.end() :]
    value = env.get(name)
    if rest == "":
        return value or ""
    for op in (":-", "-", ":?", "?", ":+", "+"):
        if rest.startswith(op):
            argument = rest[len(op) :]
            unset_or_empty = value is None or (op.startswith(":") and value == "")
            if op in (":-", "-"):
                return substitute(argument, env, where) if unset_or_empty else value or ""
            if op in (":?", "?"):
                if unset_or_empty:
                    message = substitute(argument, env, where) or f"{name} is required"
                    raise MissingVariable(
                        f"{where()}the variable {name} is {'not set' if value is None else 'empty'}: {message}. "
                        f"Set it in the environment or in the project's .env file."
                    )
                return value or ""
            return "" if unset_or_empty else substitute(argument, env, where)
    raise SpecError(f"{where()}`${{{body}}}` is not an interpolation Compose knows (`:-`, `-`, `:?`, `?`, `:+`, `+`).")


def dotenv(path: pathlib.Path) -> dict[str, str]:
    """A `.env` file: `KEY=VALUE` lines, `#` comments, optional `export `, quotes removed
    (escapes kept in single quotes, `\\n` expanded in double ones); missing: empty."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not NAME.fullmatch(key):
            raise SpecError(f"{path}:{number}: not a `KEY=VALUE` line: {raw.strip()[:80]!r}.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            quote, value = value[0], value[1:-1]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values
