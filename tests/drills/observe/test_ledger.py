"""The ledger files: values normalised for comparison, ids found by path, digests, tailing."""

from __future__ import annotations

import datetime
import decimal
import pathlib

import pytest

from drillbook.drills.observe.load.ledger import Tail, digest, find, normalise, shape


def test_digest_ignores_key_order_and_fields_not_checked() -> None:
    a = digest({"items": 3, "customer": "x", "note": "ignored"}, ["customer", "items"])
    b = digest({"customer": "x", "items": 3}, ["items", "customer"])
    assert a == b
    assert a != digest({"customer": "x", "items": 4}, ["customer", "items"])


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("0", 0),
        (0, "0"),
        (1.5, decimal.Decimal("1.50")),
        ("1.50", 1.5),
        (3, 3.0),
        ("-0", 0),
        (
            "2026-12-01T10:00:00Z",
            datetime.datetime(2026, 12, 1, 11, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
        ),
        ("2026-12-01", datetime.date(2026, 12, 1)),
        ({"a": [1, "2"]}, '{"a": ["1", 2]}'),
        ([1, 2], "[1, 2]"),
        (b"text", "text"),
        (None, None),
    ],
)
def test_a_payload_value_and_a_column_value_meaning_the_same_compare_equal(sent: object, stored: object) -> None:
    assert normalise(sent) == normalise(stored)
    assert digest({"f": sent}, ["f"]) == digest({"f": stored}, ["f"])


@pytest.mark.parametrize(
    ("sent", "stored"), [("0", 1), ("abc", "abd"), (True, "true"), ("12:00", "12:01"), ([1], [1, 2])]
)
def test_values_that_differ_still_differ(sent: object, stored: object) -> None:
    assert normalise(sent) != normalise(stored)


def test_ids_are_found_by_dotted_path_also_in_lists() -> None:
    answer = {"run": {"info": {"run_id": "ab12", "n": 3}}, "items": [{"id": 7}]}
    assert find(answer, "run.info.run_id") == "ab12"
    assert find(answer, "items.0.id") == 7
    assert find(answer, "run.info.id") is None
    assert find(answer, "run.info") is None, "an object is no id"
    assert find({"ok": True}, "ok") is None, "nor is a boolean"
    assert find([1], "0.id") is None


def test_the_shape_of_an_answer_names_its_types_not_its_values() -> None:
    answer = {"run": {"info": {"run_id": "secret-ish", "start": 1, "ok": True, "tags": [{"k": "v"}]}}}
    assert shape(answer) == {
        "run": {"info": {"run_id": "string", "start": "number", "ok": "boolean", "tags": [{"k": "string"}]}}
    }


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
