"""A cluster lent to a drill of another size is refused before the drill touches it; the real
lending (filled once, cleared after each drill) is proven by the swarm drills of tests/scenarios/."""

from __future__ import annotations

import pathlib
from datetime import UTC, datetime, timedelta

import pytest

from drillbook.errors import ClusterError
from drillbook.replicas.cluster import lent, local
from drillbook.replicas.cluster.state import ClusterState, Node


def three_managers(root: pathlib.Path) -> ClusterState:
    nodes = tuple(
        Node(f"node{i}", f"drillbook-abc123-{i}", f"dbkabc123v{i}", f"10.231.0.{10 + i}", str(root / f"node{i}"), True)
        for i in (1, 2, 3)
    )
    return ClusterState("abc123", "tests", "vm:1:1", "dbkabc123", "10.231.0.0/24", str(root), nodes)


@pytest.mark.parametrize(("nodes", "managers", "asks"), [(2, None, "2 and 2"), (3, 1, "3 and 1"), (4, 3, "4 and 3")])
def test_a_cluster_of_another_size_is_refused_naming_both(
    tmp_path: pathlib.Path, nodes: int, managers: int | None, asks: str
) -> None:
    cluster = three_managers(tmp_path)
    with pytest.raises(
        ClusterError, match=rf"abc123 lent to this drill has 3 nodes, 3 of them managers; .* asks for {asks}"
    ):
        lent.fit(cluster, nodes, managers, heartbeat_s=1.0)


NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def swarm_nodes(*changed_s_ago: float, state: str = "ready", leader: bool = True) -> list[local.SwarmNode]:
    return [
        local.SwarmNode(f"node{i}", state, True, leader and i == 1, NOW - timedelta(seconds=ago))
        for i, ago in enumerate(changed_s_ago, start=1)
    ]


def test_a_cluster_is_lent_on_once_every_node_stayed_ready_with_a_leader() -> None:
    assert lent.quiet(swarm_nodes(60, 60, lent.QUIET_S), NOW)
    # A node that rejoined a moment ago can be marked down again while a manager catches up.
    assert not lent.quiet(swarm_nodes(60, 60, 0.5), NOW)
    assert not lent.quiet(swarm_nodes(60, 60, 60, state="down"), NOW)
    assert not lent.quiet(swarm_nodes(60, 60, 60, leader=False), NOW)
