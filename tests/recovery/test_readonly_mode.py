"""The runbook's read-only mode, on its own, against a real replica: reads served, writes refused."""

from __future__ import annotations

import time

import httpx
import psycopg
import pytest

from drillbook.recovery import REGISTRY, database, readonly_mode
from drillbook.replicas.replica import Replica
from tests.fakes import FakeReplica, run_steps

ORDER = {"customer": "c-1", "pickup_address": "1 Elm St", "items": 1}


@pytest.mark.beside
@pytest.mark.docker
def test_read_only_refuses_writes_keeps_reads_and_is_undone(replica: Replica) -> None:
    procedure = REGISTRY.get("readonly_mode")
    ctx = procedure.context(replica, {"verify_timeout_s": 10}, log=lambda _line: None)
    details = [step.run(ctx) or "" for step in procedure.steps]
    assert "default_transaction_read_only = on" in details[0] and "readonly: HTTP 200" in details[0]
    assert "key flows answer" in details[1]  # reads are served
    assert httpx.post(replica.url() + "/api/orders", json=ORDER).status_code == 503  # the service refuses
    assert httpx.get(replica.url() + "/api/health").json()["mode"] == "read-only"
    with (
        psycopg.connect(replica.db_conninfo(), autocommit=True) as conn,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        conn.execute("INSERT INTO drivers (name) VALUES ('someone')")  # and so does the database
    assert "readwrite: HTTP 200" in database.read_only(ctx, False)
    deadline = time.monotonic() + 10  # each session takes the reloaded setting at its next statement
    while (status := httpx.post(replica.url() + "/api/orders", json=ORDER).status_code) != 201:
        assert time.monotonic() < deadline, f"writes still refused after read-write: HTTP {status}"
        time.sleep(0.1)


# --- the procedure's logic, on the fake replica ----------------------------------------------------


def test_a_database_that_does_not_answer_fails_containment_and_stops(fake: FakeReplica) -> None:
    ran = run_steps(readonly_mode.PROCEDURE, fake)
    assert [r.step for r in ran] == ["read-only mode on"] and ran[0].detail.startswith("OperationalError: ")
    assert not fake.app.seen  # neither the maintenance mode nor verify ran against a database it could not set
