"""The drill's secrets, outside git: what the desired state refers to by name and version.

The desired-state repository is handed around (evidence, rehearsals, a team's
review), so it holds `{secret: app-database-url, version: 1}` where a password
was; the values live in one file in the drill's folder, beside the repository
and never in it (mode 0600 in a 0700 folder), and go with the drill. A rotation
adds a version and commits only the new reference; every value the store ever
held is told to the masker as it is made, so none reaches any output.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from drillbook import outputs
from drillbook.errors import SpecError

FILE = "secrets.json"
SECRET_NAME = re.compile(r"pass|secret|token|key|credential|auth", re.IGNORECASE)
"""An environment variable whose name says it holds a secret."""
URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/\s@]+:)([^@\s/]+)(@)", re.IGNORECASE)
"""A password in a URL (`scheme://user:password@host`), the password its second group."""


def is_secret(name: str, value: str, known: Collection[str]) -> bool:
    """A variable whose name says so, that carries a password in a URL, or holds a known secret."""
    return bool(
        value and (SECRET_NAME.search(name) or URL_PASSWORD.search(value) or any(k and k in value for k in known))
    )


def is_reference(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"secret", "version"}


class SecretStore:
    def __init__(self, folder: pathlib.Path, on_new: Callable[[str, str], object] = lambda _n, _v: None) -> None:
        self.folder = folder
        self._on_new = on_new
        self._values: dict[str, list[str]] = {}
        if (folder / FILE).is_file():
            loaded = json.loads((folder / FILE).read_text())
            self._values = {str(k): [str(v) for v in versions] for k, versions in loaded.items()}
            for name, versions in self._values.items():
                for value in versions:
                    on_new(name, value)

    def put(self, name: str, value: str) -> dict[str, Any]:
        """A new version of `name`; returns the reference the desired state holds for it."""
        self._values.setdefault(name, []).append(value)
        self._on_new(name, value)
        self._save()
        return {"secret": name, "version": len(self._values[name])}

    def resolve(self, reference: Mapping[str, Any], where: str) -> str:
        name, version = str(reference.get("secret")), reference.get("version")
        versions = self._values.get(name, [])
        if not isinstance(version, int) or not 1 <= version <= len(versions):
            raise SpecError(
                f"{where} refers to secret {name!r} version {version!r}, which the drill's secrets file "
                f"({self.folder / FILE}) does not hold: it has {len(versions)} version(s) of it."
            )
        return versions[version - 1]

    def values(self) -> Iterator[tuple[str, str]]:
        for name, versions in self._values.items():
            for value in versions:
                yield name, value

    def remove(self) -> None:
        """Gone with the drill; safe to repeat."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _save(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        outputs.write_json(self.folder / FILE, self._values, mode=0o600)
