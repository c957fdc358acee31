"""Find plug-ins by name, in this repository or in any installed package.

Scenarios and recovery procedures register the same way: built-in modules are
listed by name, and other packages add theirs through an entry point group
(`drillbook.scenarios`, `drillbook.procedures`) without forking drillbook. A
plug-in's arguments are checked against its function's signature before any
fault is injected, the way pluggy verifies hook implementations; pydantic checks
each value against the parameter's full annotation.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import pydantic

from drillbook.errors import PluginError


class Plugin(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...


P = TypeVar("P", bound=Plugin)


class Registry(Generic[P]):
    def __init__(self, kind: str, group: str, builtin: Mapping[str, str], attribute: str) -> None:
        self.kind = kind
        self.group = group
        self._builtin = dict(builtin)
        self._attribute = attribute
        self._extra: dict[str, P] = {}

    def register(self, plugin: P) -> None:
        self._extra[plugin.name] = plugin

    def names(self) -> list[str]:
        entry_points = {ep.name for ep in _installed(self.group)}
        return sorted(set(self._builtin) | set(self._extra) | entry_points)

    def get(self, name: str) -> P:
        if name in self._extra:
            return self._extra[name]
        if name in self._builtin:
            module = importlib.import_module(self._builtin[name])
            plugin: P = getattr(module, self._attribute)
            return plugin
        for ep in _installed(self.group):
            if ep.name == name:
                loaded = ep.load()
                found: P = getattr(loaded, self._attribute, loaded)
                return found
        raise PluginError(
            f"Unknown {self.kind} {name!r}. Known {self.kind}s: {', '.join(self.names())}. "
            f"Check the spelling in the drill file (`drillbook list` shows them all), or install "
            f"the package that provides it under the entry point group {self.group!r}."
        )


@functools.cache
def _installed(group: str) -> tuple[importlib.metadata.EntryPoint, ...]:
    """The group's entry points, read once per process: reading them opens every installed
    distribution's metadata (about 5 ms here), and `coverage` and `readiness` ask for the names
    of each kind for every drill and incident, 660 times (`drillbook coverage`: 4 s, now 1 s)."""
    return tuple(importlib.metadata.entry_points(group=group))


def check_arguments(
    kind: str,
    name: str,
    function: Callable[..., Any],
    leading: int,
    params: Mapping[str, Any],
    locate: Callable[[str], str] = lambda _param: "",
) -> None:
    """Bind `params` to `function` after its `leading` positional arguments, and check every
    value against its parameter's full annotation (unions, optional values, lists, mappings,
    literals, nested types; numbers finite), before any fault is injected.

    `locate(param)` gives "file:line: " for a message, where the drill file is known.
    """
    signature = inspect.signature(function)
    placeholders = [None] * leading
    try:
        bound = signature.bind(*placeholders, **params)
    except TypeError as exc:
        accepted = [p for p in list(signature.parameters)[leading:]]
        raise PluginError(
            f"{locate('')}The {kind} {name!r} does not accept these arguments ({exc}). It accepts: "
            f"{', '.join(accepted) or 'no arguments'}. Fix the `with:` section of the drill file."
        ) from None
    hints = typing.get_type_hints(function)
    for param, value in list(bound.arguments.items())[leading:]:
        hint = hints.get(param)
        if hint is None:
            continue
        try:
            _adapter(hint).validate_python(value, strict=True)
        except pydantic.ValidationError as exc:
            problem = exc.errors()[0]
            inner = ".".join(str(p) for p in problem["loc"])
            raise PluginError(
                f"{locate(param)}The {kind} {name!r} got {param}={_short(value)}"
                f"{f' (at {inner})' if inner else ''}: {problem['msg'].lower()}. It takes {_spell(hint)}. "
                "Fix the `with:` section of the drill file."
            ) from None


@functools.lru_cache(maxsize=256)
def _adapter(hint: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(hint, config=pydantic.ConfigDict(allow_inf_nan=False))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _spell(hint: Any) -> str:
    """An annotation as a person reads it: `'kill', 'stop' or 'pause'`, `a number`, `text`."""
    if typing.get_origin(hint) is typing.Literal:
        return "one of " + ", ".join(repr(c) for c in typing.get_args(hint))
    names = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}
    if hint in names:
        return names[hint]
    return str(hint).replace("typing.", "")
