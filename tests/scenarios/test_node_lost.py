"""node_lost: which node is lost and how (on the fake cluster), and the real drills, a daemon killed
and a link cut, on the three-node swarm the session lends."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable

import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import PluginError
from drillbook.replicas.cluster import daemons, local, state
from drillbook.replicas.cluster.state import ClusterState
from drillbook.scenarios import node_lost
from tests.conftest import CATALOG, catalog_drill, why
from tests.fakes import FakeCluster


@pytest.fixture
def cluster(fake_cluster_of: Callable[..., FakeCluster]) -> FakeCluster:
    return fake_cluster_of("node-lost")


def test_the_node_cut_runs_the_app_and_nothing_else_and_is_not_the_leader(cluster: FakeCluster) -> None:
    cluster.place(("db", "node1"), ("payments", "node1"), ("app", "node1"), ("app", "node3"))
    assert node_lost.chosen(cluster) == "node3"
    with node_lost.inject(cluster) as fault:
        assert cluster.actions[-1] == "cut node3"
        assert fault.description == "node3 cut off from the cluster (its link down), with app.2"
    assert (
        cluster.actions[-1] == "rejoin node3"
        and fault.revert_detail == "node3's link is up again: it rejoins the swarm"
    )


def test_a_nodes_daemon_is_killed_and_started_again_when_told(cluster: FakeCluster) -> None:
    cluster.place(("db", "node1"), ("payments", "node1"), ("app", "node2"), ("app", "node3"))
    with node_lost.inject(cluster, node="node3", how="daemon") as fault:
        assert cluster.actions[-1] == "kill node3's daemon"
        assert fault.description == "node3's daemon killed (SIGKILL to dockerd; its containers run on), with app.2"
    assert cluster.actions[-1] == "restart node3's daemon"
    assert fault.revert_detail == "node3's daemon started again: it rejoins the swarm"
    assert not any(a.startswith("cut") for a in cluster.actions)


def test_a_leader_on_the_only_such_node_is_moved_off_it_before_the_steady_state(cluster: FakeCluster) -> None:
    cluster.place(("db", "node1"), ("payments", "node2"), ("app", "node2"), ("app", "node3"))
    cluster.elect("node3")
    node_lost.ready(cluster)
    assert cluster.actions == ["step down node3"] and cluster.leader() != "node3"
    with node_lost.inject(cluster):
        assert cluster.actions[-1] == "cut node3"


def test_with_no_such_node_the_drill_is_refused_before_any_fault(cluster: FakeCluster) -> None:
    cluster.place(("db", "node1"), ("payments", "node2"), ("app", "node1"), ("app", "node2"))
    with pytest.raises(PluginError, match="found no node that runs the app and nothing else"):
        node_lost.ready(cluster)
    with pytest.raises(PluginError, match="names 'node7', and the cluster has node1, node2, node3"):
        node_lost.ready(cluster, node="node7")
    assert node_lost.chosen(cluster, node="node2") == "node2"  # named: taken as it is
    assert not any(a.startswith("cut") for a in cluster.actions)


def test_a_node_is_named_as_the_cluster_names_them() -> None:
    target = spec.load(CATALOG / "node-lost.yaml").target
    with pytest.raises(PluginError, match="`node1`…`node5`, not 'db-host'"):
        node_lost.check(target, node="db-host")


@pytest.mark.docker
@pytest.mark.swarm
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_nodes_daemon_killed_is_marked_down_its_task_moved_and_the_daemon_back_after(
    tmp_path: pathlib.Path, lent_swarm: ClusterState
) -> None:
    result = DrillRunner(
        spec.load(catalog_drill("daemon-killed", tmp_path)), tmp_path / "out", lent_cluster=lent_swarm
    ).run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    fault = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and "daemon killed" in e["detail"])
    lost = fault.split("node_lost(how='daemon'): ")[1].split("'s")[0]
    swarm = [e["detail"] for e in doc["timeline"] if e["kind"] == "swarm"]
    down_at = swarm.index(f"node {lost} is down (was ready)")
    moved = [s for s in swarm[down_at:] if s.startswith("task app.") and s.endswith(": running")]
    assert moved and all(f" on {lost}:" not in s for s in moved)  # its task runs on another node
    assert doc["figures"]["node_down_s"] > 0 and doc["measurements"]["lost_writes"] == 0
    # Started again at teardown, its new pid in the cluster's state file: the node is ready, and
    # its daemon is found (and would be removed) from the state as the file now says it.
    assert any(line.startswith(f"{lost}'s daemon started again") for line in swarm)
    written = state.read(pathlib.Path(lent_swarm.folder))
    assert daemons.running(local.node_named(written, lost))
    assert {n.state for n in local.nodes(lent_swarm)} == {"ready"}


@pytest.mark.docker
@pytest.mark.swarm
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_node_cut_off_is_marked_down_and_its_task_runs_elsewhere(
    tmp_path: pathlib.Path, lent_swarm: ClusterState
) -> None:
    before = set(state.found(state.ROOT))
    result = DrillRunner(
        spec.load(catalog_drill("node-lost", tmp_path)), tmp_path / "out", lent_cluster=lent_swarm
    ).run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    swarm = [e["detail"] for e in doc["timeline"] if e["kind"] == "swarm"]
    fault = next(e["detail"] for e in doc["timeline"] if e["kind"] == "fault" and "cut off" in e["detail"])
    cut = fault.split("node_lost: ")[1].split(" ")[0]
    down_at = swarm.index(f"node {cut} is down (was ready)")
    moved = [s for s in swarm[down_at:] if s.startswith("task app.") and s.endswith(": running")]
    assert moved and all(f" on {cut}:" not in s for s in moved)  # its task runs on another node
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert steps["the swarm notices the loss"]["ok"] and steps["every task runs on a ready node"]["ok"]
    figures = doc["figures"]
    assert 0 < figures["node_down_s"] <= figures["rescheduled_s"]
    assert doc["measurements"]["lost_writes"] == 0
    # The cluster is gone with the drill: no folder, and the no_leftovers fixture checks the host engine.
    assert set(state.found(state.ROOT)) <= before


def test_with_no_free_node_for_the_lost_task_it_is_refused(fake_cluster_of: Callable[..., FakeCluster]) -> None:
    two = fake_cluster_of("node-lost", nodes=2)
    two.place(("db", "node1"), ("app", "node1"), ("app", "node2"))
    with pytest.raises(PluginError, match="the app runs 2 replicas on 2 nodes"):
        node_lost.ready(two)
