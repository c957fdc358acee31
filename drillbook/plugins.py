"""Find plug-ins by name, in this repository or in any installed package.

Scenarios and recovery procedures register the same way: built-in modules are
listed by name, and other packages add theirs through an entry point group
(`drillbook.scenarios`, `drillbook.procedures`) without forking drillbook. A
plug-in's arguments are checked against its function's signature before any
fault is injected, the way pluggy verifies hook implementations.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

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
        entry_points = {ep.name for ep in importlib.metadata.entry_points(group=self.group)}
        return sorted(set(self._builtin) | set(self._extra) | entry_points)

    def get(self, name: str) -> P:
        if name in self._extra:
            return self._extra[name]
        if name in self._builtin:
            module = importlib.import_module(self._builtin[name])
            plugin: P = getattr(module, self._attribute)
            return plugin
        for ep in importlib.metadata.entry_points(group=self.group, name=name):
            loaded = ep.load()
            found: P = getattr(loaded, self._attribute, loaded)
            return found
        raise PluginError(
            f"Unknown {self.kind} {name!r}. Known {self.kind}s: {', '.join(self.names())}. "
            f"Check the spelling in the drill file (`drillbook list` shows them all), or install "
            f"the package that provides it under the entry point group {self.group!r}."
        )


def check_arguments(
    kind: str, name: str, function: Callable[..., Any], leading: int, params: Mapping[str, Any]
) -> None:
    """Bind `params` to `function` after its `leading` positional arguments, and check
    the values of parameters annotated with a `Literal` or a plain number type."""
    signature = inspect.signature(function)
    placeholders = [None] * leading
    try:
        bound = signature.bind(*placeholders, **params)
    except TypeError as exc:
        accepted = [p for p in list(signature.parameters)[leading:]]
        raise PluginError(
            f"The {kind} {name!r} does not accept these arguments ({exc}). It accepts: "
            f"{', '.join(accepted) or 'no arguments'}. Fix the `with:` section of the drill file."
        ) from None
    hints = typing.get_type_hints(function)
    for param, value in list(bound.arguments.items())[leading:]:
        _check_value(kind, name, param, value, hints.get(param))


def _check_value(kind: str, name: str, param: str, value: Any, hint: Any) -> None:
    if hint is None:
        return
    choices = typing.get_args(hint) if typing.get_origin(hint) is typing.Literal else None
    if choices is not None and value not in choices:
        raise PluginError(
            f"The {kind} {name!r} got {param}={value!r}; it must be one of "
            f"{', '.join(repr(c) for c in choices)}. Fix the `with:` section of the drill file."
        )
    numeric = hint in (int, float)
    if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise PluginError(
            f"The {kind} {name!r} got {param}={value!r}; it must be a number. "
            "Fix the `with:` section of the drill file."
        )
    if hint is str and not isinstance(value, str):
        raise PluginError(
            f"The {kind} {name!r} got {param}={value!r}; it must be text. Fix the `with:` section of the drill file."
        )
