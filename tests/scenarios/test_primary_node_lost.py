"""primary_node_lost: the primary's node found and cut (on the fake cluster), refused without a standby
on another node, and the real drill on a local three-node swarm: the standby promoted, nothing lost."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable

import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import PluginError
from drillbook.scenarios import primary_node_lost
from tests.conftest import CATALOG, catalog_drill, why
from tests.fakes import FakeCluster


@pytest.fixture
def cluster(fake_cluster_of: Callable[..., FakeCluster]) -> FakeCluster:
    return fake_cluster_of("primary-node-lost")


def test_the_node_cut_is_the_primarys(cluster: FakeCluster) -> None:
    cluster.place(("db", "node1"), ("db-standby", "node2"), ("app", "node2"), ("app", "node3"), ("payments", "node3"))
    with primary_node_lost.inject(cluster) as fault:
        assert cluster.actions[-1] == "cut node1"
        assert fault.description == "node1, the primary's node, cut off from the cluster (its link down), with db.1"
    assert cluster.actions[-1] == "rejoin node1"


def test_a_standby_on_the_primarys_node_or_none_is_refused_before_any_fault(
    cluster: FakeCluster, tmp_path: pathlib.Path
) -> None:
    cluster.place(("db", "node1"), ("db-standby", "node1"), ("app", "node2"))
    with pytest.raises(PluginError, match="primary on node1 and the standby on node1"):
        primary_node_lost.ready(cluster)
    assert not any(a.startswith("cut") for a in cluster.actions)
    plain = spec.write_variant(CATALOG / "primary-node-lost.yaml", tmp_path, "no-standby", backups=None)
    with pytest.raises(PluginError, match=r"no standby. Add `backups: \{standby: \{mode: sync\}\}`"):
        DrillRunner(spec.load(plain), tmp_path / "out")


@pytest.mark.docker
@pytest.mark.swarm
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_primarys_node_lost_and_the_standby_on_another_promoted_with_nothing_lost(tmp_path: pathlib.Path) -> None:
    result = DrillRunner(spec.load(catalog_drill("primary-node-lost", tmp_path)), tmp_path / "out").run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert all(s["ok"] for s in steps.values()), steps
    assert "db-standby promoted" in steps["promote the standby"]["detail"]
    failover = [e["detail"] for e in doc["timeline"] if e["kind"] == "failover"]
    assert failover and failover[0].startswith("db-standby now answers as 'db'") and "db scaled to 0" in failover[0]
    swarm = [e["detail"] for e in doc["timeline"] if e["kind"] == "swarm"]
    assert any(line.endswith("(was node1)") and "is the leader now" in line for line in swarm)  # a new leader
    m = doc["measurements"]
    assert m["acked_writes"] > 0 and m["lost_writes"] == 0  # a synchronous standby loses nothing
