"""Reading a Compose project: its files, merged and interpolated the way Compose does it.

The main file, then the override Compose merges by itself (`compose.override.yaml`
beside `compose.yaml`), then each file `include`d; a service's `extends` takes
its base from the same file or another. Every file is interpolated on its own
(process environment over the project's `.env`) before it is merged. Each
service remembers the file it came from, for messages and for its relative
paths (a build context, a bind mount, an `env_file`).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drillbook import inputs
from drillbook.errors import SpecError
from drillbook.replicas.compose.interpolate import dotenv, interpolate

OVERRIDES = {"compose.yaml": "compose.override.yaml", "compose.yml": "compose.override.yml"}
OVERRIDES |= {
    "docker-compose.yml": "docker-compose.override.yml",
    "docker-compose.yaml": "docker-compose.override.yaml",
}
REPLACED = {"command", "entrypoint", "test", "image", "build"}
"""Keys whose value an override replaces whole (the rest merge: mappings by key, lists by item)."""


@dataclass(frozen=True)
class Definition:
    """One service as the merged project defines it, and the file it comes from."""

    name: str
    fields: Mapping[str, Any]
    file: pathlib.Path
    lines: Mapping[tuple[str | int, ...], int]

    def where(self, *key: str | int) -> str:
        """`file:line: ` of a key of this service (the service's own line if the key is not in the file)."""
        path: tuple[str | int, ...] = ("services", self.name, *key)
        while path:
            if path in self.lines:
                return f"{self.file}:{self.lines[path]}: "
            path = path[:-1]
        return f"{self.file}: "


@dataclass(frozen=True)
class Project:
    folder: pathlib.Path
    """The project's folder (the main file's): relative paths resolve from each service's own file."""
    name: str
    """The file's `name:`, else the folder's name, as Compose names a project."""
    files: tuple[pathlib.Path, ...]
    services: Mapping[str, Definition]
    volumes: Mapping[str, Mapping[str, Any]]
    networks: Mapping[str, Mapping[str, Any]]
    env: Mapping[str, str]


def load(compose: pathlib.Path, env_file: pathlib.Path | None = None, profiles: Sequence[str] = ()) -> Project:
    folder = compose.parent
    env = {**dotenv(env_file or folder / ".env"), **os.environ}
    files = [compose]
    override = folder / OVERRIDES.get(compose.name, "")
    if compose.name in OVERRIDES and override.is_file():
        files.append(override)
    services: dict[str, Definition] = {}
    volumes: dict[str, Mapping[str, Any]] = {}
    networks: dict[str, Mapping[str, Any]] = {}
    read = list(files)
    name = folder.name
    for file in files:
        doc, lines = _read(file, env)
        name = str(doc.get("name") or name)
        for included in _includes(doc, file):
            if included not in read:
                read.append(included)
                _add(_read(included, env), included, services, volumes, networks)
        _add((doc, lines), file, services, volumes, networks)
    resolved = {name: _extended(d, services, env, ()) for name, d in services.items()}
    active = {name: d for name, d in resolved.items() if _active(d, profiles)}
    return Project(folder, name, tuple(read), active, volumes, networks, env)


def _read(file: pathlib.Path, env: Mapping[str, str]) -> tuple[dict[str, Any], Mapping[tuple[str | int, ...], int]]:
    doc, lines = inputs.load_yaml(inputs.read_text(file, "Compose"), file, "Compose")
    if not isinstance(doc, dict):
        raise SpecError(f"The Compose file {file} must be a mapping with `services:`.")

    def where(path: tuple[Any, ...]) -> str:
        line = inputs.line_of(lines, path)
        return f"{file}:{line}: " if line else f"{file}: "

    interpolated: dict[str, Any] = interpolate(doc, env, where)
    return interpolated, lines


def _includes(doc: Mapping[str, Any], file: pathlib.Path) -> list[pathlib.Path]:
    found = []
    for entry in doc.get("include") or []:
        paths = entry.get("path") if isinstance(entry, dict) else entry
        for path in [paths] if isinstance(paths, str) else paths or []:
            target = (file.parent / str(path)).resolve()
            if not target.is_file():
                raise SpecError(f"{file}: `include` names {path}, which does not exist beside it.")
            found.append(target)
    return found


def _add(
    read: tuple[dict[str, Any], Mapping[tuple[str | int, ...], int]],
    file: pathlib.Path,
    services: dict[str, Definition],
    volumes: dict[str, Mapping[str, Any]],
    networks: dict[str, Mapping[str, Any]],
) -> None:
    doc, lines = read
    for name, fields in (doc.get("services") or {}).items():
        if not isinstance(fields, dict):
            raise SpecError(f"{file}: service {name!r} must be a mapping.")
        base = services.get(name)
        merged = merge(dict(base.fields), fields) if base is not None else dict(fields)
        services[name] = Definition(str(name), merged, file, lines)
    for key, into in (("volumes", volumes), ("networks", networks)):
        for name, fields in (doc.get(key) or {}).items():
            into[str(name)] = {**into.get(str(name), {}), **(fields or {})}


def merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` merged onto `base` by Compose's rules: mappings by key, lists by item, some keys whole."""
    for key, value in override.items():
        old = base.get(key)
        if key in ("environment", "labels"):
            base[key] = {**as_mapping(old), **as_mapping(value)}
        elif key in REPLACED or old is None:
            base[key] = value
        elif isinstance(old, dict) and isinstance(value, dict):
            base[key] = merge(dict(old), value)
        elif isinstance(old, list) and isinstance(value, list):
            base[key] = [*old, *(v for v in value if v not in old)]
        else:
            base[key] = value
    return base


def as_mapping(value: Any) -> dict[str, str]:
    """`environment` and `labels` as a mapping, from either of Compose's forms (`K=V` items, a mapping)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {
            str(k): "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()
        }
    out = {}
    for item in value:
        key, _sep, val = str(item).partition("=")
        out[key] = val
    return out


def _extended(
    definition: Definition, services: Mapping[str, Definition], env: Mapping[str, str], seen: tuple[str, ...]
) -> Definition:
    extends = definition.fields.get("extends")
    if extends is None:
        return definition
    base_name = extends if isinstance(extends, str) else extends.get("service")
    if base_name in seen or base_name == definition.name:
        raise SpecError(f"{definition.where('extends')}`extends` loops: {' -> '.join((*seen, definition.name))}.")
    other = None if isinstance(extends, str) else extends.get("file")
    if other:
        file = (definition.file.parent / str(other)).resolve()
        doc, lines = _read(file, env)
        fields = (doc.get("services") or {}).get(base_name)
        base = None if fields is None else Definition(str(base_name), fields, file, lines)
    else:
        base = services.get(str(base_name))
    if base is None:
        raise SpecError(f"{definition.where('extends')}`extends` names service {base_name!r}, which is not defined.")
    base = _extended(base, services, env, (*seen, definition.name))
    own = {k: v for k, v in definition.fields.items() if k != "extends"}
    return Definition(definition.name, merge(dict(base.fields), own), definition.file, definition.lines)


def _active(definition: Definition, profiles: Sequence[str]) -> bool:
    """A service with `profiles` runs only when one of them is asked for; one without always does."""
    own = definition.fields.get("profiles") or []
    return not own or any(p in profiles for p in own)
