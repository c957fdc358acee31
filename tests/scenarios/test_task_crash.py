"""task_crash: which task is killed (on the fake cluster), and the real drill on
a local three-node swarm lent by the session: the swarm replaces the task in its slot while the other
replica serves, and the cluster is left as the drill found it."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable

import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import PluginError
from drillbook.replicas import labels
from drillbook.replicas.cluster import daemons, local
from drillbook.replicas.cluster.state import ClusterState
from drillbook.scenarios import task_crash
from tests.conftest import catalog_drill, why
from tests.fakes import FakeCluster


@pytest.fixture
def cluster(fake_cluster_of: Callable[..., FakeCluster]) -> FakeCluster:
    made = fake_cluster_of("task-crash", nodes=2)
    made.place(("db", "node1"), ("payments", "node1"), ("app", "node1"), ("app", "node2"))
    return made


def test_the_apps_last_slot_is_killed_and_nothing_is_put_back(cluster: FakeCluster) -> None:
    with task_crash.inject(cluster) as fault:
        assert cluster.actions[-1] == "kill app.2 on node2"
        assert fault.description == "task app.2 on node2: its container killed (SIGKILL)"
    assert fault.reverted and fault.revert_detail is None  # the swarm starts the new task itself


def test_another_service_is_named_and_an_unknown_one_refused(cluster: FakeCluster) -> None:
    with task_crash.inject(cluster, service="payments"):
        assert cluster.actions[-1] == "kill payments.1 on node1"
    with pytest.raises(PluginError, match="names service 'cache', which the target does not have"):
        task_crash.check(cluster.target, service="cache")


def test_a_service_with_no_running_task_is_refused_before_any_fault(cluster: FakeCluster) -> None:
    cluster.swarm_tasks = [t for t in cluster.swarm_tasks if t.service != "payments"]
    with pytest.raises(PluginError, match="no running task of 'payments' to kill"):
        task_crash.ready(cluster, service="payments")
    assert not any(a.startswith("kill") for a in cluster.actions)


@pytest.mark.docker
@pytest.mark.swarm
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_killed_task_is_replaced_in_its_slot_while_the_other_replica_serves(
    tmp_path: pathlib.Path, lent_swarm: ClusterState
) -> None:
    result = DrillRunner(
        spec.load(catalog_drill("task-crash", tmp_path)), tmp_path / "out", lent_cluster=lent_swarm
    ).run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert steps["the swarm notices the loss"]["detail"].startswith("the swarm saw app.2 fail on ")
    swarm = [e["detail"] for e in doc["timeline"] if e["kind"] == "swarm"]
    failed = next(i for i, line in enumerate(swarm) if line.startswith("task app.2 on ") and ": failed" in line)
    assert any(line.startswith("task app.2 on ") and line.endswith(": running") for line in swarm[failed:])
    figures = doc["figures"]
    assert 0 <= figures["task_failed_s"] <= figures["rescheduled_s"]
    m = doc["measurements"]
    assert m["acked_writes"] > 0 and m["lost_writes"] == 0
    # The lent cluster is left as the drill found it: nothing of the drill's on any node, all ready.
    ours = labels.filter_for(result.drill_id)
    for node in lent_swarm.nodes:
        engine = daemons.client(node)
        assert not engine.containers.list(all=True, filters=ours) and not engine.volumes.list(filters=ours)
    assert not daemons.client(local.manager(lent_swarm)).services.list(filters=ours)
    assert {n.state for n in local.nodes(lent_swarm)} == {"ready"}
    cleared = f"removed from the lent cluster {lent_swarm.cluster_id}: service "
    assert any(e["detail"].startswith(cleared) for e in doc["timeline"] if e["kind"] == "teardown")
