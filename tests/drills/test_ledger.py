"""The ledger files: digests comparable with database rows, and tailing."""

from __future__ import annotations

import pathlib

from drills.load.ledger import Tail, digest


def test_digest_ignores_key_order_and_fields_not_checked() -> None:
    a = digest({"items": 3, "customer": "x", "note": "ignored"}, ["customer", "items"])
    b = digest({"customer": "x", "items": 3}, ["items", "customer"])
    assert a == b
    assert a != digest({"customer": "x", "items": 4}, ["customer", "items"])


def test_tail_returns_only_complete_new_lines(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "f.jsonl"
    tail = Tail(path)
    assert list(tail.read()) == []
    path.write_text('{"a": 1}\n{"a": ')
    assert list(tail.read()) == [{"a": 1}]
    with path.open("a") as fh:
        fh.write('2}\n{"a": 3}\n')
    assert list(tail.read()) == [{"a": 2}, {"a": 3}]
    assert list(tail.read()) == []
