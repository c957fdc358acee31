"""The data check's contract: the columns it needs, and a mismatch that names the field."""

from __future__ import annotations

import pytest

from drillbook.drills.judge import datacheck
from drillbook.drills.judge.datacheck import DataCheckContractError, check_columns, difference
from drillbook.drills.judge.measure import LostWrite
from drillbook.drills.observe.load.ledger import AckedWrite, compared, digest
from drillbook.replicas.target import WriteFlow

FLOW = WriteFlow("create run", "run.info.run_id", ("experiment_id", "run_name"))


def test_a_query_without_the_needed_columns_is_refused_with_the_columns_it_returned() -> None:
    with pytest.raises(DataCheckContractError) as caught:
        check_columns("SELECT run_uuid, experiment_id FROM runs", ["run_uuid", "experiment_id"], [FLOW])
    message = str(caught.value)
    assert "returned the columns run_uuid, experiment_id" in message
    assert "missing: id, run_name" in message and "AS id" in message


def test_a_changed_row_names_the_field_and_both_values() -> None:
    payload = {"experiment_id": "0", "run_name": "train-1"}
    write = AckedWrite("create run", "r1", digest(payload, FLOW.fields), 1.0, compared(payload, FLOW.fields))
    stored = {"id": "r1", "experiment_id": 0, "run_name": "train-2"}
    assert digest(stored, FLOW.fields) != write.digest
    assert difference(write, stored, FLOW.fields) == "field run_name: acknowledged 'train-1', stored 'train-2'"


def test_a_misconfigured_check_names_the_write_the_field_and_what_was_sent() -> None:
    writes = [AckedWrite("create order", "7", "d", 1.0, {"customer": "c-1", "items": 2})]
    lost = [LostWrite("7", 1.0, "changed", "field items: acknowledged 2, stored None")]
    message = datacheck.misconfigured(lost, writes, "SELECT id, customer FROM orders WHERE id = ANY(%(ids)s)")
    assert message.startswith("The data check is misconfigured: 1 of 1 writes acknowledged before any fault")
    assert "write '7': the query differs: field items: acknowledged 2, stored None" in message
    assert "the load sent {'customer': 'c-1', 'items': 2}" in message and "Fix target.data_check.sql" in message
