"""A node's daemon told apart while it starts: an exited one from one still exec'ing its way in;
a killed one's pid file from a running one's."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from drillbook.errors import ClusterError
from drillbook.replicas import labels
from drillbook.replicas.cluster import daemons
from drillbook.replicas.cluster.state import Node


def node_for(process: subprocess.Popen[bytes], folder: pathlib.Path) -> Node:
    (folder / "dockerd.log").write_text('level=info msg="starting up"\n')
    return Node(
        name="node3",
        netns="drillbook-test-3",
        veth="dbktestv3",
        address="10.231.0.13",
        folder=str(folder),
        manager=True,
        pid=process.pid,
        started=labels.start_time(process.pid),
    )


def test_a_process_that_lives_on_is_waited_for_even_when_its_command_line_does_not_name_the_node(
    tmp_path: pathlib.Path,
) -> None:
    # A command line read mid-exec is empty: the process still lives, so it is starting, not gone.
    with subprocess.Popen(["sleep", "30"]) as process:
        try:
            node = node_for(process, tmp_path)
            assert not daemons.running(node)
            with pytest.raises(ClusterError, match=r"did not answer on unix://.* within 0\.3 s"):
                daemons.wait_ready(node, timeout_s=0.3)
        finally:
            process.kill()


def test_a_daemon_that_exited_while_starting_is_said_so_with_its_last_words(tmp_path: pathlib.Path) -> None:
    with subprocess.Popen(["sleep", "30"]) as process:
        node = node_for(process, tmp_path)
        process.kill()
        process.wait()
    with pytest.raises(ClusterError, match='node3 daemon exited while starting: level=info msg="starting up"'):
        daemons.wait_ready(node, timeout_s=5)


def test_a_pid_file_naming_another_process_is_removed_and_the_daemons_own_is_kept(tmp_path: pathlib.Path) -> None:
    # The pid a killed daemon left in its file, since given to a process that is not the daemon.
    with subprocess.Popen(["sleep", "30"]) as other:
        try:
            node = node_for(other, tmp_path)
            node = Node(**{**node.__dict__, "pid": None, "started": None})
            (tmp_path / "docker.pid").write_text(f"{other.pid}\n")
            daemons.clear_stale_pid_file(node)
            assert not (tmp_path / "docker.pid").exists()
        finally:
            other.kill()
    # A process whose command line names the node's data root is its daemon: its file stays.
    awake = "print('up', flush=True); import time; time.sleep(30)"
    with subprocess.Popen([sys.executable, "-c", awake, str(tmp_path / "data")], stdout=subprocess.PIPE) as daemon:
        try:
            assert daemon.stdout is not None and daemon.stdout.readline() == b"up\n"  # past its exec
            (tmp_path / "docker.pid").write_text(f"{daemon.pid}\n")
            daemons.clear_stale_pid_file(node)
            assert (tmp_path / "docker.pid").read_text() == f"{daemon.pid}\n"
        finally:
            daemon.kill()
