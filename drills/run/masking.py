"""Secrets out of everything a drill writes: results, reports, the journal, the terminal.

A result is evidence that gets attached to tickets and committed to audit
repositories, and the diagnostics it carries (log lines, connection strings)
are exactly where passwords leak. Two nets: the literal values the target
declares as secrets (its database password, any environment variable whose
name says password, secret, token or key), and patterns for secrets nobody
declared (a password inside a URL, `password=...`, bearer tokens).

Masking never changes an identifier: the drill's name and id, a service's,
an image's, a folder's or a file's name are written as they are (a password
that also appears in a service name would otherwise turn the name into `***`),
and a declared secret is masked in free text only as a whole token. `validate`
warns about a secret that appears in such a name, since it cannot be masked
there; the result lists which secrets were masked, by what they are, never
their values.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drillbook.replicas.secrets import SECRET_NAME, URL_PASSWORD
from drillbook.replicas.target import Target

MASK = "***"
# Shorter literals are masked only where a pattern marks them: blindly replacing a
# 4-letter password would also mask every ordinary word that happens to equal it.
MIN_LITERAL = 6
PATTERNS = (
    (URL_PASSWORD, r"\1" + MASK + r"\3"),
    (
        re.compile(
            r"\b((?:[a-z_]*_)?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)[a-z_]*)"
            r"(\s*[=:]\s*)(['\"]?)([^\s'\",;&]+)",
            re.IGNORECASE,
        ),
        r"\1\2\3" + MASK,
    ),
    (re.compile(r"\b(bearer\s+)[a-z0-9._~+/-]+=*", re.IGNORECASE), r"\1" + MASK),
)


IDENTIFIERS = frozenset(
    {"drill", "drill_id", "target", "service", "services", "image", "app", "desired_state", "file", "folder", "path"}
)
"""Keys of the documents drillbook writes whose values are identifiers, never masked."""


@dataclass(frozen=True)
class Secret:
    label: str
    """What the secret is (`the database password`, `POSTGRES_PASSWORD of db`): said, never its value."""
    value: str


class Masker:
    def __init__(self, secrets: Iterable[Secret | str] = ()) -> None:
        found = [s if isinstance(s, Secret) else Secret("a declared secret", s) for s in secrets]
        self.secrets: tuple[Secret, ...] = ()
        self._literal: re.Pattern[str] | None = None
        self._learn(found)

    def add(self, secret: Secret) -> None:
        """A secret made while the drill runs (a rotated password): masked from now on. Of a URL
        with a login only the password is the secret: the rest of it is an address worth reading."""
        parts = urllib.parse.urlsplit(secret.value) if "://" in secret.value else None
        if parts is not None and parts.password:
            secret = Secret(secret.label, urllib.parse.unquote(parts.password))
        self._learn([secret])

    def _learn(self, found: Iterable[Secret]) -> None:
        self.secrets += tuple(s for s in found if len(s.value) >= MIN_LITERAL)
        literals = {s.value for s in self.secrets}
        # Longest first, so a secret that contains another is masked whole; a whole token
        # only, so a secret inside a longer name is not cut out of it.
        alternatives = "|".join(re.escape(s) for s in sorted(literals, key=len, reverse=True))
        self._literal = re.compile(rf"(?<![\w-])(?<!\w\.)(?:{alternatives})(?![\w-]|\.\w)") if literals else None

    @classmethod
    def for_target(cls, target: Target) -> Masker:
        secrets = [Secret("the database password (target.database.password)", target.database.password)]
        for service in target.services:
            secrets += [
                Secret(f"{name} of {service.name}", v) for name, v in service.env.items() if SECRET_NAME.search(name)
            ]
        return cls(secrets)

    @property
    def masked(self) -> list[str]:
        """What is masked literally, by label, each once."""
        return list(dict.fromkeys(s.label for s in self.secrets))

    def clashes(self, names: Iterable[tuple[str, str]]) -> list[str]:
        """Each (where, name) an identifier that holds a secret: it is written as it is."""
        first = {s.value: s for s in reversed(self.secrets)}.values()  # one label per value
        return [
            f"{where} {name!r} contains {secret.label}: names are never masked, so it will appear in the results"
            for where, name in names
            for secret in first
            if secret.value in name
        ]

    def text(self, value: str) -> str:
        if self._literal is not None:
            value = self._literal.sub(MASK, value)
        for pattern, replacement in PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def document(self, value: Any, key: str | None = None) -> Any:
        """A copy of a JSON-shaped value with every string masked; keys are field names, kept, and
        the values of identifier keys (`IDENTIFIERS`) are kept as they are."""
        if isinstance(value, str):
            return value if key in IDENTIFIERS else self.text(value)
        if isinstance(value, dict):
            return {k: self.document(v, k) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.document(v, key) for v in value]
        return value
