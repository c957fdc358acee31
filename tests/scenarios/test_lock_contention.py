"""The lock-contention drill: a held table lock found in pg_stat_activity and terminated."""

from __future__ import annotations

import contextlib
import json
import pathlib
import re
import threading
from typing import Any

import psycopg
import pytest

from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.timeline import Event
from drillbook.errors import ExitCode, PluginError
from drillbook.scenarios import lock_contention
from tests.conftest import CATALOG, catalog_drill, why
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_lock_holder_is_terminated_and_drillbooks_own_sessions_are_not(tmp_path: pathlib.Path) -> None:
    drill = spec.load(catalog_drill("lock-contention", tmp_path))
    ours: list[psycopg.Connection[tuple[object, ...]]] = []
    outcome: list[str] = []

    def harness_session(event: Event) -> None:
        """A long statement in a session named like drillbook's: the procedure must leave it alone."""
        if (event.kind, event.detail) != ("phase", "steady state") or runner.replica is None:
            return
        conn = psycopg.connect(runner.replica.db_conninfo(), autocommit=True, application_name="drillbook-probe")
        ours.append(conn)

        def sleep() -> None:
            try:
                conn.execute("SELECT pg_sleep(600)")
            except psycopg.errors.AdminShutdown:
                outcome.append("terminated")
            except psycopg.Error:
                outcome.append("ended by teardown")

        threading.Thread(target=sleep, daemon=True).start()

    runner = DrillRunner(drill, tmp_path / "out", harness_session)
    try:
        result = runner.run()
    finally:
        for conn in ours:
            with contextlib.suppress(psycopg.Error):
                conn.close()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    assert {"high_error_rate", "response_time_slow", "health_check_fail"} & {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    found = steps["find long-running statements"]["detail"]
    assert "nightly-report" in found and "pg_sleep(86400)" in found and "drillbook-probe" not in found
    assert "only wait on it and are left to finish" in found  # the service's own queries are victims
    assert steps["terminate them"]["detail"].startswith("terminated 1 session(s)")
    assert doc["measurements"]["lost_writes"] == 0
    assert "terminated" not in outcome


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_table_that_does_not_exist_is_refused_before_any_lock(tmp_path: pathlib.Path) -> None:
    path = spec.write_variant(
        CATALOG / "lock-contention.yaml",
        tmp_path,
        "no-table",
        scenario={"name": "lock_contention", "with": {"table": "invoices"}},
    )
    code = main(["run", str(path), "--out", str(tmp_path / "out")])
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert code == ExitCode.BAD_INPUT
    assert "does not have; nothing was locked" in doc["error"] and "invoices" in doc["error"]
    assert doc["measurements"]["injected_at"] is None


# --- the fault's checks and its failure path, on the fake replica -----------------------------------


@pytest.mark.parametrize(
    ("params", "refusal"),
    [({"table": "a.b.c"}, "schema.table at most"), ({"holder": "drillbook-report"}, "does not start with 'drillbook'")],
)
def test_locks_nothing_could_end_are_refused(fake: FakeReplica, params: dict[str, Any], refusal: str) -> None:
    with pytest.raises(PluginError, match=re.escape(refusal)):
        lock_contention.check(fake.target, **params)


def test_a_database_that_does_not_answer_gets_no_fault(fake: FakeReplica) -> None:
    with pytest.raises(psycopg.OperationalError), lock_contention.inject(fake):
        pytest.fail("the fault must not be in place")
    assert fake.actions == []
