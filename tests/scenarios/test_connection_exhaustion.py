"""The connection-exhaustion drill: a leaking client takes every slot, the leak is capped and cleared."""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import psycopg
import pytest

from drillbook.drills import spec
from drillbook.drills.cli import main
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import ExitCode, PluginError
from drillbook.scenarios import connection_exhaustion
from tests.conftest import CATALOG, catalog_drill, why
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_leak_starves_the_service_until_capped_and_cleared(tmp_path: pathlib.Path) -> None:
    result = DrillRunner(spec.load(catalog_drill("connection-exhaustion", tmp_path)), tmp_path / "out").run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    assert {"high_error_rate", "health_check_fail"} & {a["rule"] for a in doc["alerts"]}
    assert doc["measurements"]["downtime_s"] > 0  # the service really lost its connections
    fault = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and e["detail"].startswith("injected"))
    assert "remaining connection slots are reserved" in fault and "other clients still hold" not in fault
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert re.search(r"\d+ idle batch-export \(batch\)", steps["count connections"]["detail"])
    assert steps["cap the leaking role"]["detail"].startswith("role batch holds")
    terminated = int(re.findall(r"terminated (\d+)", steps["terminate idle sessions"]["detail"])[0])
    assert terminated > 50
    # The leak kept running through the verify window: capped, it took no more than its limit again.
    reverted = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and "reverted" in e["detail"])
    closed = int(re.findall(r"closed its (\d+) connections", reverted)[0])
    assert terminated <= closed <= terminated + 5
    assert doc["measurements"]["lost_writes"] == 0


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_more_connections_than_the_server_allows_is_refused_before_any(tmp_path: pathlib.Path) -> None:
    path = spec.write_variant(
        CATALOG / "connection-exhaustion.yaml",
        tmp_path,
        "too-many",
        scenario={"name": "connection_exhaustion", "with": {"connections": 500}},
    )
    code = main(["run", str(path), "--out", str(tmp_path / "out")])
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert code == ExitCode.BAD_INPUT
    assert "would open 500 connections" in doc["error"] and "nothing was opened" in doc["error"]
    assert doc["measurements"]["injected_at"] is None
    # Refused once the replica was up, before a steady state was judged.
    assert not [e for e in doc["timeline"] if e["kind"] == "steady_state"]


# --- the fault's checks and its failure path, on the fake replica -----------------------------------


@pytest.mark.parametrize(
    ("params", "refusal"),
    [
        ({"wait_s": 0}, "positive `wait_s`"),
        ({"connections": 0}, "`connections` between 1 and"),
        ({"holder": "drillbook-export"}, "does not start with 'drillbook'"),
        ({"role": "returns"}, "not the administrator's"),
        ({"role": "Batch Role"}, "new plain role name"),
    ],
)
def test_parameters_no_procedure_could_undo_are_refused(
    fake: FakeReplica, params: dict[str, Any], refusal: str
) -> None:
    with pytest.raises(PluginError, match=re.escape(refusal)):
        connection_exhaustion.check(fake.target, **params)


def test_a_database_that_does_not_answer_gets_no_fault(fake: FakeReplica) -> None:
    with pytest.raises(psycopg.OperationalError), connection_exhaustion.inject(fake, wait_s=1):
        pytest.fail("the fault must not be in place")
    assert fake.actions == []


def test_leaving_the_count_out_needs_no_look_at_the_server(fake: FakeReplica) -> None:
    connection_exhaustion.ready(fake, connections=None)
    assert fake.actions == []


def test_a_count_that_cannot_be_checked_is_refused_before_the_steady_state(fake: FakeReplica) -> None:
    with pytest.raises(PluginError, match="could not read the database's max_connections"):
        connection_exhaustion.ready(fake, connections=5)
    assert fake.actions == []
