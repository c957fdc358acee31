"""Diagnostics snapshots of a real replica: what the runbook's commands show, healthy and broken."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from drillbook.drills.observe.diagnostics import LOG_LINES, MAX_CELL, Gatherer
from drillbook.replicas.replica import Replica
from tests.conftest import CatalogRun

pytestmark = pytest.mark.docker

MARKER = "held open by test_diagnostics"


@pytest.fixture
def held_statement(replica: Replica) -> Iterator[None]:
    """A statement left running, as a forgotten migration or a stuck report would."""
    conn = psycopg.connect(replica.db_conninfo(), autocommit=True, application_name="test-holder")
    worker = threading.Thread(target=_sleep, args=(conn,), daemon=True)
    worker.start()
    time.sleep(1.0)
    try:
        yield
    finally:
        with psycopg.connect(replica.db_conninfo(), autocommit=True) as admin:
            admin.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-holder'")
        worker.join(10)
        conn.close()


def _sleep(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    with contextlib.suppress(psycopg.Error):  # cancelled at the end of the test
        conn.execute(f"SELECT pg_sleep(60) /* {MARKER} */")


@pytest.mark.beside
def test_snapshot_names_the_long_running_statement_and_stays_bounded(replica: Replica, held_statement: None) -> None:
    app = replica.container("app")
    app.exec_run(
        ["sh", "-c", "for i in $(seq 100); do echo \"ERROR number $i $(printf '%0500d' 0)\"; done > /proc/1/fd/1"]
    )
    # time_scale 0.001: the runbook's "5 minutes" is 0.3 s, and the statement has run for 1 s.
    snapshot = Gatherer(replica, time_scale=0.001, clock=lambda: 1.0).snapshot("test")

    long_running = snapshot.section("long_running")
    assert long_running.available and "longer than 0.3 s" in long_running.reason
    assert [row for row in long_running.rows if MARKER in row[-1] and row[1] == "test-holder"]
    assert snapshot.section("connectivity").reason.startswith("answered in")
    assert snapshot.section("slowest_statements").available, snapshot.section("slowest_statements").reason
    assert "connections of max_connections 100" in snapshot.section("connections").reason
    assert snapshot.section("health").reason == "HTTP 200"
    assert '"status"' in snapshot.section("health").text
    assert snapshot.section("metrics").reason == "HTTP 200"
    containers = {row[0]: row for row in snapshot.section("containers").rows}
    assert containers["db"][1] == "running" and "MiB of 512 MiB" in containers["db"][2]
    assert containers["app"][3].endswith("%")

    errors = [row for row in snapshot.section("log_errors").rows if row[0] == "app"]
    assert len(errors) == LOG_LINES
    assert errors[-1][1].startswith("ERROR number 100") and all(len(row[1]) <= MAX_CELL for row in errors)


@pytest.mark.beside
def test_a_paused_database_is_recorded_unavailable_with_the_reason(replica: Replica) -> None:
    replica.pause("db")
    try:
        snapshot = Gatherer(replica, time_scale=1.0, clock=lambda: 1.0).snapshot("database frozen")
    finally:
        replica.unpause("db")
    for name in ("connectivity", "active_statements", "long_running", "slowest_statements", "connections"):
        section = snapshot.section(name)
        assert not section.available and "could not be reached" in section.reason, name
    containers = {row[0]: row for row in snapshot.section("containers").rows}
    assert containers["db"][1] == "paused"
    assert snapshot.section("health").available  # the service answers, with its own verdict


@pytest.mark.beside
def test_the_database_outage_drill_keeps_its_evidence_of_the_outage(catalog_db_outage: CatalogRun) -> None:
    result = catalog_db_outage.result
    snapshots = {s["label"]: s for s in result["diagnostics"]}
    assert set(snapshots) == {"first alert", "after recovery"}
    first = {sec["name"]: sec for sec in snapshots["first alert"]["sections"]}
    after = {sec["name"]: sec for sec in snapshots["after recovery"]["sections"]}
    # The database was killed when the alert fired; gathering said so and the drill went on.
    assert not first["connectivity"]["available"] and first["connectivity"]["reason"]
    assert after["connectivity"]["available"]
    assert result["verdict"] == "passed"
