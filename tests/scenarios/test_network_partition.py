"""The network-partition drill: the database cut off the replica's network, reconnected."""

from __future__ import annotations

import json
import pathlib

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from drillbook.scenarios import network_partition
from tests.conftest import catalog_drill
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_partition_is_found_and_mended(tmp_path: pathlib.Path) -> None:
    code = main(["run", str(catalog_drill("network-partition", tmp_path / "drill")), "--out", str(tmp_path)])
    doc = json.loads((tmp_path / "result.json").read_text())
    assert code == ExitCode.OK, doc.get("error") or doc["checks"]
    assert "database_down" in {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert steps["find the partition"]["detail"].endswith(": db")
    assert steps["reconnect"]["ok"] and steps["reset application connections"]["ok"]
    assert doc["measurements"]["downtime_s"] > 0 and doc["measurements"]["lost_writes"] == 0


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_the_service_is_cut_off_and_reconnected_on_exit(fake: FakeReplica) -> None:
    with network_partition.inject(fake) as fault:
        assert not fake.connected("db") and fake.connected("app")
    assert fake.connected("db") and fault.revert_detail == "reconnected db to the replica's network"


def test_nothing_to_reconnect_after_the_procedure_did(fake: FakeReplica) -> None:
    with network_partition.inject(fake, service="app") as fault:
        fake.connect("app")
    assert fault.revert_detail is None
