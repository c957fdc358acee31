"""The state file names every piece a cluster made; a broken one is refused with what to do."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import ClusterError
from drillbook.replicas.cluster import state
from drillbook.replicas.cluster.state import ClusterState, Node


def made(folder: pathlib.Path) -> ClusterState:
    node = Node("node1", "drillbook-abc123-1", "dbkabc123v1", "10.231.0.11", str(folder / "node1"), True, 42, "77")
    return ClusterState("abc123", "db-outage-1", "vm:42:77", "dbkabc123", "10.231.0.0/24", str(folder), (node,))


def test_what_is_written_is_read_back(tmp_path: pathlib.Path) -> None:
    cluster = made(tmp_path)
    cluster.write()
    assert state.read(tmp_path) == cluster
    assert cluster.nodes[0].socket == f"unix://{tmp_path}/node1/docker.sock"


def test_clusters_are_found_by_their_state_files_only(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a").mkdir()
    made(tmp_path / "a").write()
    (tmp_path / "b").mkdir()  # no state file: not a cluster's folder
    assert state.found(tmp_path) == [tmp_path / "a"]
    assert state.found(tmp_path / "missing") == []


def test_a_broken_state_file_names_itself_and_the_fix(tmp_path: pathlib.Path) -> None:
    (tmp_path / state.STATE_FILE).write_text('{"cluster_id": "x"}')
    with pytest.raises(ClusterError, match=r"cluster\.json: not a readable drillbook cluster state file") as caught:
        state.read(tmp_path)
    assert "ip netns list" in str(caught.value)
