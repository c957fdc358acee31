"""A node's Docker engine: a `dockerd` of its own inside the node's network namespace.

`ip netns exec` cannot start one: it remounts /sys without the cgroup mounts
and dockerd stops at "Devices cgroup isn't mounted". So the daemon starts
under `nsenter --net` and `unshare --mount`, where /sys is mounted again for
the namespace and the host's cgroup hierarchy is bound back under it; those
mounts live and die with that private mount namespace. Each daemon has its own
data root, exec root, pid file, socket and cgroup parent, all in its folder.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import subprocess
import time

import docker
import docker.errors
from docker import DockerClient

from drillbook.errors import ClusterError
from drillbook.replicas import labels
from drillbook.replicas.cluster import links
from drillbook.replicas.cluster.state import Node

CGROUPS = pathlib.Path("/sys/fs/cgroup")

START = (
    'hostname "$1" && mount --rbind /sys/fs/cgroup "$2" && mount -t sysfs sysfs /sys '
    '&& mount --rbind "$2" /sys/fs/cgroup && shift 2 && exec "$@"'
)
"""Run in the node's own mount and UTS namespaces: its hostname (the swarm's node name), /sys
mounted for its network namespace, the host's cgroups bound back, then the daemon."""


def start(node: Node, cgroup_parent: str) -> Node:
    """Start the node's daemon; the node returned names its pid and start time."""
    folder = pathlib.Path(node.folder)
    for sub in ("cgroup", "data", "exec"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    clear_stale_pid_file(node)
    command = [
        "nsenter", f"--net=/run/netns/{node.netns}", "unshare", "--mount", "--uts", "--propagation", "private",
        "sh", "-c", START, "sh", node.name, str(folder / "cgroup"),
        "dockerd",
        "--data-root", str(folder / "data"),
        "--exec-root", str(folder / "exec"),
        "--pidfile", str(folder / "docker.pid"),
        "--host", node.socket,
        "--cgroup-parent", cgroup_parent,
        "--shutdown-timeout", "1",  # a throwaway cluster: its containers need no grace
        "--log-level", "warn",
    ]  # fmt: skip
    with (folder / "dockerd.log").open("ab") as log:
        try:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                # No registry is reachable here: a task's image is the one copied in, never pulled
                # (a pull that cannot happen held each task in `preparing` for 20 s).
                env={**os.environ, "DOCKER_SERVICE_PREFER_OFFLINE_IMAGE": "1"},
            )
        except OSError as exc:
            raise ClusterError(
                f"Could not start the {node.name} daemon ({exc}); the local cluster needs "
                "util-linux's nsenter and unshare, and dockerd."
            ) from exc
    # nsenter, unshare and sh each exec the next: the process started is the daemon.
    return Node(**{**node.__dict__, "pid": process.pid, "started": labels.start_time(process.pid)})


def clear_stale_pid_file(node: Node) -> None:
    """A killed daemon leaves its pid file, and dockerd refuses to start while any process has that
    pid. Pids wrap at 32768 on a two-core machine (40 new processes a second during `make test`),
    and a restarted daemon once found its predecessor's pid given to another process. A file that
    names the node's running daemon is left alone."""
    if pid_of(node) is None:
        (pathlib.Path(node.folder) / "docker.pid").unlink(missing_ok=True)


def client(node: Node, timeout_s: float = 30.0) -> DockerClient:
    return docker.DockerClient(base_url=node.socket, timeout=int(timeout_s))


def wait_ready(node: Node, timeout_s: float = 30.0) -> DockerClient:
    deadline = time.monotonic() + timeout_s
    while True:
        if _exited(node):
            raise ClusterError(f"The {node.name} daemon exited while starting: {_last_words(node)}")
        try:
            engine = client(node)
            engine.ping()
            return engine
        except (docker.errors.DockerException, OSError):
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"The {node.name} daemon did not answer on {node.socket} within {timeout_s:g} s: "
                    f"{_last_words(node)}"
                ) from None
            time.sleep(0.1)


def _exited(node: Node) -> bool:
    """The process started as the node's daemon is gone (or a zombie). Not `not running(node)`:
    that reads the command line, which is empty for the instant of each of a start's four execs
    (nsenter, unshare, sh, dockerd), and took a daemon being restarted for one that had exited in
    one restart of three."""
    if node.pid is None:
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(node.pid, os.WNOHANG)  # our own child, once it ended, is reaped here
    return labels.start_time(node.pid) != node.started or not _alive(node.pid)


def _last_words(node: Node) -> str:
    """The end of the daemon's log, in the error: the folder it is in goes with the cluster."""
    try:
        lines = (pathlib.Path(node.folder) / "dockerd.log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return "it left no log."
    return " / ".join(lines[-3:]) or "its log is empty."


def running(node: Node) -> bool:
    return pid_of(node) is not None


def pid_of(node: Node) -> int | None:
    """The node's own daemon's pid: the one it was started as (same pid and start time), or the one
    its pid file names (a daemon started again by a fault's revert, after this state was read);
    either only while its command line names the node's data root, not a process that took the pid."""
    candidates = [node.pid] if node.pid is not None else []
    with contextlib.suppress(OSError, ValueError):
        candidates.append(int((pathlib.Path(node.folder) / "docker.pid").read_text().strip()))
    for pid in candidates:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # our own child, once it ended, is reaped here
        if pid == node.pid and labels.start_time(pid) != node.started:
            continue
        if _is_daemon_of(node, pid):
            return pid
    return None


def _is_daemon_of(node: Node, pid: int) -> bool:
    try:
        command = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return _alive(pid) and str(pathlib.Path(node.folder) / "data").encode() in command


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (one whose parent has not reaped it is no daemon)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cgroup_parent(cluster_id: str, node: Node) -> str:
    """The cgroup every container of the node's daemon is made under (one directory a controller)."""
    return f"drillbook-{cluster_id}-{node.name}"


def kill(node: Node, cgroup: str, timeout_s: float = 10.0) -> None:
    """SIGKILL to the node's daemon, everything in its namespace (containerd, shims) and whatever
    is left in its containers' cgroups; waited for. The cluster is being thrown away: a daemon
    stopping cleanly leaves its swarm and drains its networks first, seconds for nothing."""
    daemon = pid_of(node)
    pids = [*([daemon] if daemon is not None else []), *links.pids_in(node.netns)]
    for pid in [*pids, *_pids_under(cgroup)]:
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout_s
    while (links.pids_in(node.netns) or running(node) or _pids_under(cgroup)) and time.monotonic() < deadline:
        time.sleep(0.05)


def remove_cgroups(cgroup: str) -> None:
    """The node's cgroup directories, deepest first, in every controller: docker leaves its
    `--cgroup-parent` behind, and they would pile up with every cluster made."""
    for top in CGROUPS.glob(f"*/{cgroup}"):
        for folder in sorted((d for d in top.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts)):
            with contextlib.suppress(OSError):
                folder.rmdir()
        with contextlib.suppress(OSError):
            top.rmdir()


def _pids_under(cgroup: str) -> list[int]:
    found: set[int] = set()
    for procs in CGROUPS.glob(f"*/{cgroup}/**/cgroup.procs"):
        with contextlib.suppress(OSError, ValueError):
            found.update(int(line) for line in procs.read_text().split())
    return sorted(found)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
