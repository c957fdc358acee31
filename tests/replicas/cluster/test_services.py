"""Where each service's tasks may go on the swarm: a stateful one on its volume's node, the rest
off the database's node."""

from __future__ import annotations

from drillbook.drills import spec
from drillbook.replicas.cluster.services import placement
from tests.conftest import CATALOG


def test_stateful_services_stay_on_their_node_and_the_rest_off_the_databases() -> None:
    target = spec.load(CATALOG / "primary-node-lost.yaml").target
    nodes = ("node1", "node2", "node3")
    assert placement(target.service("db"), target, nodes)[0] == ["node.hostname==node1"]
    assert placement(target.service("db-standby"), target, nodes)[0] == ["node.hostname==node2"]
    assert placement(target.service("app"), target, nodes) == (
        ["node.hostname!=node1"],
        "kept off node1, the database's node",
    )
    assert placement(target.service("app"), target, ("node1",)) == ([], "on node1, the only node")
