"""A real local swarm: formed from daemons in namespaces of their own, and removed without a trace,
by its drill or, after that drill was killed, by `drillbook cleanup` from its state file."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import docker.errors
import pytest
from docker import DockerClient

from drillbook.drills.cli import main
from drillbook.errors import ClusterError
from drillbook.replicas.cluster import daemons, links, local, state
from drillbook.replicas.cluster.state import ClusterState
from tests.conftest import cluster_root


@pytest.fixture
def root() -> Iterator[pathlib.Path]:
    folder = cluster_root()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def traces(cluster: ClusterState) -> list[str]:
    """What of the cluster is still on this host."""
    left = [n.netns for n in cluster.nodes if n.netns in links.ip("netns", "list")]
    left += [name for name in (cluster.bridge, *(n.veth for n in cluster.nodes)) if name in links.ip("link")]
    left += [f"daemon {n.name}" for n in cluster.nodes if daemons.running(n)]
    left += [cluster.folder] if pathlib.Path(cluster.folder).exists() else []
    left += [
        str(folder)
        for n in cluster.nodes
        for folder in daemons.CGROUPS.glob(f"*/{daemons.cgroup_parent(cluster.cluster_id, n)}")
    ]
    forward = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True, check=True).stdout
    left += ["forwarding rule"] if f"drillbook {cluster.bridge}" in forward else []
    return left


BASE = "debian:bookworm-slim"
"""The smallest image on a machine set up by `make setup`: drillbook's images are built on it."""


def test_a_cluster_is_refused_before_anything_is_made_when_its_size_is_not_one(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ClusterError, match="1 to 5 nodes"):
        local.form(tmp_path, "too-big", nodes=6)
    with pytest.raises(ClusterError, match="2 nodes with 3 managers"):
        local.form(tmp_path, "upside-down", nodes=2, managers=3)
    with pytest.raises(ClusterError, match="cannot be formed on node3: the managers are node1 to node2"):
        local.form(tmp_path, "on-a-worker", nodes=3, managers=2, first_leader="node3")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_too_deep_for_the_daemons_sockets_is_refused(tmp_path: pathlib.Path) -> None:
    deep = tmp_path / ("d" * 60)
    with pytest.raises(ClusterError, match="too deep: its daemons' sockets"):
        local.form(deep, "deep", nodes=3)
    assert not deep.exists()


@pytest.mark.docker
@pytest.mark.beside
def test_three_daemons_form_one_swarm_and_leave_nothing_behind(root: pathlib.Path) -> None:
    said: list[str] = []
    with local.cluster(root, "swarm-test", nodes=3, managers=2, say=said.append, first_leader="node2") as cluster:
        assert state.read(pathlib.Path(cluster.folder)) == cluster
        seen = sorted(local.nodes(cluster), key=lambda n: n.hostname)
        assert [(n.hostname, n.state, n.manager) for n in seen] == [
            ("node1", "ready", True),
            ("node2", "ready", True),
            ("node3", "ready", False),
        ]
        assert [n.hostname for n in seen if n.leader] == ["node2"]  # formed there, the others joined it
        assert all(links.pids_in(n.netns) for n in cluster.nodes)
    assert said[0].startswith("3 daemons ready in ") and "2 manager(s), 1 worker(s) formed" in said[1]
    assert traces(cluster) == []
    assert list(root.iterdir()) == []


@pytest.mark.docker
@pytest.mark.beside
def test_images_are_copied_from_the_host_engine_into_the_nodes_named_for_them(
    root: pathlib.Path, docker_client: DockerClient
) -> None:
    said: list[str] = []
    with local.cluster(root, "images-test", nodes=2) as cluster:
        # First only where a pinned service would run, then everywhere: only the node lacking it loads it.
        local.distribute(cluster, docker_client, {BASE: {"node1"}}, said.append)
        with pytest.raises(docker.errors.ImageNotFound):
            daemons.client(cluster.nodes[1]).images.get(BASE)
        local.distribute(cluster, docker_client, local.everywhere(cluster, [BASE]), said.append)
        for node in cluster.nodes:
            assert daemons.client(node).images.get(BASE).id == docker_client.images.get(BASE).id
        local.distribute(cluster, docker_client, local.everywhere(cluster, [BASE]), said.append)
    assert said[0].startswith(f"image {BASE} on node1 in ")
    assert said[1].startswith(f"image {BASE} on node2 in ")
    assert said[2] == f"image {BASE} already on all 2 nodes"
    assert traces(cluster) == []


FORM_AND_HANG = """
import pathlib, sys, time
from drillbook.replicas.cluster import local
local.form(pathlib.Path(sys.argv[1]), "killed-drill", nodes=2)
print("formed", flush=True)
time.sleep(600)
"""


@pytest.mark.docker
@pytest.mark.beside
def test_a_killed_drills_cluster_is_found_and_removed_by_cleanup(
    root: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drill = subprocess.Popen([sys.executable, "-c", FORM_AND_HANG, str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert drill.stdout is not None and drill.stdout.readline() == "formed\n"
        (folder,) = state.found(root)
        cluster = state.read(folder)
        # While its drill runs, cleanup leaves it alone.
        assert main(["cleanup", "--clusters", str(root)]) == 0
        assert "left alone: local cluster of killed-drill" in capsys.readouterr().out
        assert {"daemon node1", "daemon node2", cluster.folder} <= set(traces(cluster))
    finally:
        os.kill(drill.pid, signal.SIGKILL)
        drill.wait()
    time.sleep(0.1)
    assert all(daemons.running(n) for n in cluster.nodes)  # its daemons outlive it
    assert main(["cleanup", "--clusters", str(root)]) == 0
    out = capsys.readouterr().out
    assert "removed local cluster of killed-drill: daemon node1, daemon node2" in out
    assert traces(cluster) == []
    assert list(root.iterdir()) == []
