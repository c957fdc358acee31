"""The state file names every piece a cluster made; a broken one, or one naming what drillbook
would not have made, is refused with what to do."""

from __future__ import annotations

import dataclasses
import json
import pathlib

import pytest

from drillbook.errors import ClusterError
from drillbook.replicas.cluster import state
from drillbook.replicas.cluster.state import ClusterState, Node


def made(root: pathlib.Path) -> ClusterState:
    folder = root / "abc123"
    folder.mkdir(parents=True, exist_ok=True)
    node = Node("node1", "drillbook-abc123-1", "dbkabc123v1", "10.231.0.11", str(folder / "node1"), True, 42, "77")
    return ClusterState("abc123", "db-outage-1", "vm:42:77", "dbkabc123", "10.231.0.0/24", str(folder), (node,))


def test_what_is_written_is_read_back(tmp_path: pathlib.Path) -> None:
    cluster = made(tmp_path)
    cluster.write()
    assert state.read(tmp_path / "abc123") == cluster
    assert cluster.nodes[0].socket == f"unix://{tmp_path}/abc123/node1/docker.sock"


def test_clusters_are_found_by_their_state_files_only(tmp_path: pathlib.Path) -> None:
    made(tmp_path).write()
    (tmp_path / "b").mkdir()  # no state file: not a cluster's folder
    assert state.found(tmp_path) == [tmp_path / "abc123"]
    assert state.found(tmp_path / "missing") == []


def test_a_broken_state_file_names_itself_and_the_fix(tmp_path: pathlib.Path) -> None:
    (tmp_path / state.STATE_FILE).write_text('{"cluster_id": "x"}')
    with pytest.raises(ClusterError, match=r"cluster\.json: not a readable drillbook cluster state file") as caught:
        state.read(tmp_path)
    assert "ip netns list" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"bridge": "docker0"}, "bridge 'docker0'"),
        ({"folder": "/"}, "folder '/'"),
        ({"cluster_id": "../../x"}, "cluster_id '../../x'"),
    ],
)
def test_a_state_file_naming_what_drillbook_would_not_make_is_refused(
    tmp_path: pathlib.Path, change: dict[str, str], named: str
) -> None:
    edited = {**dataclasses.asdict(made(tmp_path)), **change}
    (tmp_path / "abc123" / state.STATE_FILE).write_text(json.dumps(edited))
    with pytest.raises(ClusterError, match="not a name drillbook gives, so nothing it names is touched") as caught:
        state.read(tmp_path / "abc123")
    assert named in str(caught.value)


def test_a_node_under_another_name_is_refused(tmp_path: pathlib.Path) -> None:
    cluster = made(tmp_path)
    eth0 = dataclasses.replace(cluster.nodes[0], veth="eth0")
    dataclasses.replace(cluster, nodes=(eth0,)).write()
    with pytest.raises(ClusterError, match="node 1 as 'node1', 'drillbook-abc123-1', 'eth0'"):
        state.read(tmp_path / "abc123")
