"""Secrets out of everything a drill writes: results, reports, the journal, the terminal.

A result is evidence that gets attached to tickets and committed to audit
repositories, and the diagnostics it carries (log lines, connection strings)
are exactly where passwords leak. Two nets: the literal values the target
declares as secrets (its database password, any environment variable whose
name says password, secret, token or key), and patterns for secrets nobody
declared (a password inside a URL, `password=...`, bearer tokens).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from drillbook.replicas.target import Target

MASK = "***"
SECRET_NAME = re.compile(r"pass|secret|token|key|credential|auth", re.IGNORECASE)
# Shorter literals are masked only where a pattern marks them: blindly replacing a
# 4-letter password would also mask every ordinary word that happens to equal it.
MIN_LITERAL = 6
PATTERNS = (
    (re.compile(r"([a-z][a-z0-9+.-]*://[^:/\s@]+:)([^@\s/]+)(@)", re.IGNORECASE), r"\1" + MASK + r"\3"),
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


class Masker:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literals = {s for s in secrets if len(s) >= MIN_LITERAL}
        # Longest first, so a secret that contains another is masked whole.
        self._literal = (
            re.compile("|".join(re.escape(s) for s in sorted(literals, key=len, reverse=True))) if literals else None
        )

    @classmethod
    def for_target(cls, target: Target) -> Masker:
        secrets = [target.database.password]
        for service in target.services:
            secrets += [value for name, value in service.env.items() if SECRET_NAME.search(name)]
        return cls(secrets)

    def text(self, value: str) -> str:
        if self._literal is not None:
            value = self._literal.sub(MASK, value)
        for pattern, replacement in PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def document(self, value: Any) -> Any:
        """A copy of a JSON-shaped value with every string masked (keys are field names, kept)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.document(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.document(v) for v in value]
        return value
