"""leader_lost: the leader moved off the database's node and then cut (on the fake cluster), refused
without a quorum to lose it from, and the real drill on a local three-manager swarm of its own."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable

import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import PluginError
from drillbook.scenarios import leader_lost
from tests.conftest import catalog_drill, why
from tests.fakes import FakeCluster


@pytest.fixture
def cluster(fake_cluster_of: Callable[..., FakeCluster]) -> FakeCluster:
    made = fake_cluster_of("leader-lost")
    made.place(("db", "node1"), ("payments", "node2"), ("app", "node2"), ("app", "node3"))
    return made


def test_a_leader_on_the_databases_node_is_moved_off_it_before_the_steady_state(cluster: FakeCluster) -> None:
    leader_lost.ready(cluster)
    assert cluster.actions == ["step down node1"] and cluster.leader() == "node2"
    with leader_lost.inject(cluster) as fault:
        assert cluster.actions[-1] == "cut node2"
        assert (
            fault.description
            == "node2, the swarm's leader, cut off from the cluster (its link down), with app.1, payments.1"
        )
    assert cluster.actions[-1] == "rejoin node2"


def test_a_leader_apart_from_the_database_is_left_where_it_is(cluster: FakeCluster) -> None:
    cluster.elect("node3")
    leader_lost.ready(cluster)
    assert not any(a.startswith("step down") for a in cluster.actions)


def test_with_two_managers_it_is_refused_before_any_fault(fake_cluster_of: Callable[..., FakeCluster]) -> None:
    two = fake_cluster_of("leader-lost", nodes=2)
    with pytest.raises(PluginError, match="needs at least three managers: with 2, the ones left"):
        leader_lost.ready(two)
    assert two.actions == []


@pytest.mark.docker
@pytest.mark.swarm
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_leaders_node_lost_another_is_elected_and_takes_updates(tmp_path: pathlib.Path) -> None:
    result = DrillRunner(spec.load(catalog_drill("leader-lost", tmp_path)), tmp_path / "out").run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    fault = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and "the swarm's leader" in e["detail"])
    lost = fault.split("leader_lost: ")[1].split(",")[0]
    assert lost != "node1"  # the database's node keeps the database
    swarm = [e["detail"] for e in doc["timeline"] if e["kind"] == "swarm"]
    assert any(line.endswith(f"is the leader now (was {lost})") for line in swarm)
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert all(s["ok"] for s in steps.values()), steps
    assert not steps["a leader takes updates"]["detail"].startswith(f"{lost} ")
    assert doc["figures"]["updates_taken_s"] > 0 and doc["measurements"]["lost_writes"] == 0
