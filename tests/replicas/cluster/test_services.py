"""Where each service's tasks may go on the swarm: a stateful one on its volume's node, the rest
where the swarm spreads them."""

from __future__ import annotations

from drillbook.drills import spec
from drillbook.replicas.cluster.services import image_nodes, placement
from tests.conftest import CATALOG


def test_stateful_services_stay_on_their_node_and_the_rest_are_spread() -> None:
    target = spec.load(CATALOG / "primary-node-lost.yaml").target
    nodes = ("node1", "node2", "node3")
    assert placement(target.service("db"), target, nodes)[0] == ["node.hostname==node1"]
    assert placement(target.service("db-standby"), target, nodes)[0] == ["node.hostname==node2"]
    assert placement(target.service("app"), target, nodes) == ([], "spread by the swarm, one a node")
    assert placement(target.service("db"), target, ("node1",))[0] == ["node.hostname==node1"]


def test_a_pinned_services_image_goes_only_to_its_node_every_other_image_everywhere() -> None:
    target = spec.load(CATALOG / "primary-node-lost.yaml").target
    nodes = ("node1", "node2", "node3")
    images = {s.name: s.image for s in target.services}
    needs = image_nodes(target, images, ["drillbook/returns-service:1.1.0"], nodes)
    assert needs[images["db"]] == {"node1", "node2"}  # the primary's node and the standby's
    assert needs[images["app"]] == set(nodes)
    assert needs["drillbook/returns-service:1.1.0"] == set(nodes)  # a fault's release: wherever the app runs
