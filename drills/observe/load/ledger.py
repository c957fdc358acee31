"""The records the load process writes and the harness reads back.

Three append-only JSON-lines files: every request (start, end, outcome); every
acknowledged write (id, its payload's compared fields, their digest, when it
was acked); and, per write flow, the first 2xx answer in which the id was not
found (its shape), so a wrong `id_field` stops the drill instead of passing it.
Times are `time.monotonic()` readings, which Linux shares across processes, so
they sit on the drill's clock without any conversion but an offset.

Values are compared after one normalisation, applied alike to the payload the
load sent and the row the data check reads (docs/design.md, "The data check"):
numbers, and strings that spell one, become their shortest decimal text (`0`,
`"0"` and `0.0` are all "0"); timestamps, and ISO 8601 strings, become UTC ISO
8601 text; JSON text in a string is parsed; objects and arrays are normalised
member by member; bytes are read as UTF-8.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import pathlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

REQUESTS_FILE = "requests.jsonl"
LEDGER_FILE = "ledger.jsonl"
MISSES_FILE = "misses.jsonl"

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def normalise(value: Any) -> Any:
    """The form in which a payload's value and a column's value are compared."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        return _number(decimal.Decimal(str(value)))
    if isinstance(value, bytes | bytearray | memoryview):
        return normalise(bytes(value).decode(errors="replace"))
    if isinstance(value, datetime.datetime):
        return _instant(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        return _text(value)
    return str(value)  # a UUID, an IP address: their text


def _text(value: str) -> Any:
    stripped = value.strip()
    if _NUMBER.fullmatch(stripped):
        try:
            return _number(decimal.Decimal(stripped))
        except decimal.InvalidOperation:
            return value
    if _TIMESTAMP.fullmatch(stripped):
        try:
            parsed = datetime.datetime.fromisoformat(stripped)
        except ValueError:
            return value
        return _instant(parsed) if len(stripped) > 10 else parsed.date().isoformat()
    if stripped[:1] in ("{", "["):
        try:
            return normalise(json.loads(stripped))
        except ValueError:
            return value
    return value


def _number(number: decimal.Decimal) -> str:
    if not number.is_finite():
        return str(number)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _instant(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def compared(payload: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The fields of a payload (or a row) the data check compares, normalised."""
    return {f: normalise(payload.get(f)) for f in fields}


def digest(payload: Mapping[str, Any], fields: Iterable[str]) -> str:
    """The digest of a write's compared fields, comparable with the row in the database."""
    canonical = json.dumps(compared(payload, fields), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find(answer: Any, path: str) -> Any:
    """The value at a dotted path in a JSON answer (`run.info.run_id`; a number indexes a list);
    None when any part of it is missing."""
    value = answer
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def shape(answer: Any, depth: int = 0) -> Any:
    """An answer's structure with its values replaced by their JSON types, for a message."""
    if depth >= 6:
        return "…"
    if isinstance(answer, Mapping):
        items = list(answer.items())
        out = {str(k): shape(v, depth + 1) for k, v in items[:12]}
        if len(items) > 12:
            out["…"] = f"{len(items) - 12} more"
        return out
    if isinstance(answer, list):
        return [shape(answer[0], depth + 1)] if answer else []
    return {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null"}.get(
        type(answer), type(answer).__name__
    )


@dataclass(frozen=True)
class RequestRecord:
    name: str
    method: str
    start: float
    end: float
    ok: bool
    status: int
    error: str | None


@dataclass(frozen=True)
class AckedWrite:
    flow: str
    id: str
    digest: str
    acked_at: float
    fields: Mapping[str, Any] = field(default_factory=dict)
    """The compared fields as acknowledged (normalised), to name the one that differs."""


@dataclass(frozen=True)
class Miss:
    """A write flow's 2xx answer in which `id_field` found nothing: the ledger cannot prove it."""

    flow: str
    id_field: str
    shape: str
    """The answer's structure, as compact JSON (or the first bytes of a body that is not JSON)."""


class Tail:
    """Reads the complete lines appended to a file since the last call."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def read(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            fh.seek(self._offset)
            chunk = fh.read()
            self._offset = fh.tell()
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if line.strip():
                yield json.loads(line)


def parse_request(row: Mapping[str, Any]) -> RequestRecord:
    return RequestRecord(
        name=str(row["n"]),
        method=str(row["m"]),
        start=float(row["s"]),
        end=float(row["e"]),
        ok=bool(row["ok"]),
        status=int(row["st"]),
        error=row.get("err"),
    )


def parse_write(row: Mapping[str, Any]) -> AckedWrite:
    return AckedWrite(
        flow=str(row["f"]), id=str(row["id"]), digest=str(row["d"]), acked_at=float(row["a"]), fields=row.get("p", {})
    )


def parse_miss(row: Mapping[str, Any]) -> Miss:
    return Miss(flow=str(row["f"]), id_field=str(row["path"]), shape=str(row["shape"]))
