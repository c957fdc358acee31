"""Where each service's tasks may go on the swarm: a stateful one on its volume's node, the rest
where the swarm spreads them."""

from __future__ import annotations

from drillbook.drills import spec
from drillbook.replicas.cluster.services import placement
from tests.conftest import CATALOG


def test_stateful_services_stay_on_their_node_and_the_rest_are_spread() -> None:
    target = spec.load(CATALOG / "primary-node-lost.yaml").target
    nodes = ("node1", "node2", "node3")
    assert placement(target.service("db"), target, nodes)[0] == ["node.hostname==node1"]
    assert placement(target.service("db-standby"), target, nodes)[0] == ["node.hostname==node2"]
    assert placement(target.service("app"), target, nodes) == ([], "spread by the swarm, one a node")
    assert placement(target.service("db"), target, ("node1",))[0] == ["node.hostname==node1"]
