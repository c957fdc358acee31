"""The cluster's state file: every piece a local cluster made, named so it can be removed.

It is written before the first piece is made and rewritten as each is added,
so a drill killed halfway leaves a file that still names everything it had
made; its owner (as on drillbook's Docker labels) tells a dead drill's cluster
from one still in use.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import asdict, dataclass, field

from drillbook import outputs
from drillbook.errors import ClusterError

STATE_FILE = "cluster.json"
ROOT = pathlib.Path("/var/tmp/drillbook/clusters")
"""Where clusters keep their folders by default: on disk (their daemons hold images), and
where `drillbook cleanup` looks for dead drills' clusters."""


@dataclass(frozen=True)
class Node:
    name: str
    """`node1`, `node2`…: the swarm's node hostname too."""
    netns: str
    veth: str
    """The host's end of the node's link to the bridge."""
    address: str
    folder: str
    """Its data root, exec root, pid file and socket live under here."""
    manager: bool
    pid: int | None = None
    started: str | None = None
    """The daemon's start time in clock ticks: a pid reused later differs here."""

    @property
    def socket(self) -> str:
        return f"unix://{self.folder}/docker.sock"


@dataclass(frozen=True)
class ClusterState:
    cluster_id: str
    drill_id: str
    owner: str
    bridge: str
    subnet: str
    """The bridge's /24, `10.231.N.0/24`; the bridge is `.1`, node i is `.(10+i)`."""
    folder: str
    nodes: tuple[Node, ...] = field(default=())

    def write(self) -> None:
        outputs.write_json(pathlib.Path(self.folder) / STATE_FILE, asdict(self), indent=2)


def read(folder: pathlib.Path) -> ClusterState:
    """The state file in `folder`, refused unless every name in it is one drillbook gives (a file
    edited, or a copy moved, must not make cleanup stop a process or delete a link of another)."""
    path = folder / STATE_FILE
    try:
        raw = json.loads(path.read_text())
        nodes = tuple(Node(**n) for n in raw.pop("nodes"))
        cluster = ClusterState(**raw, nodes=nodes)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ClusterError(
            f"{path}: not a readable drillbook cluster state file ({exc}). It names the daemons, network "
            "namespaces and links of a local cluster; without it they cannot be told from others. Remove "
            "what it named by hand (`ip netns list`, `ip link`, `pgrep -a dockerd`), then the folder."
        ) from exc
    wrong = _foreign(cluster, folder.absolute())
    if wrong:
        raise ClusterError(
            f"{path}: {wrong}, which is not a name drillbook gives, so nothing it names is touched. "
            "Remove that folder by hand once you have checked what it names."
        )
    return cluster


def _foreign(cluster: ClusterState, folder: pathlib.Path) -> str | None:
    cid = cluster.cluster_id
    if not (isinstance(cid, str) and len(cid) == 6 and all(c in "0123456789abcdef" for c in cid)):
        return f"cluster_id {cid!r}"
    if cluster.folder != str(folder) or folder.name != cid:
        return f"folder {cluster.folder!r} (the file is in {str(folder)!r})"
    if cluster.bridge != f"dbk{cid}":
        return f"bridge {cluster.bridge!r}"
    for i, node in enumerate(cluster.nodes, start=1):
        expected = (f"node{i}", f"drillbook-{cid}-{i}", f"dbk{cid}v{i}", str(folder / f"node{i}"))
        if (node.name, node.netns, node.veth, node.folder) != expected:
            return f"node {i} as {node.name!r}, {node.netns!r}, {node.veth!r}, {node.folder!r}"
    return None


def found(root: pathlib.Path) -> list[pathlib.Path]:
    """The folders under `root` that hold a cluster's state file, oldest first."""
    if not root.is_dir():
        return []
    return sorted((p.parent for p in root.glob(f"*/{STATE_FILE}")), key=lambda p: p.stat().st_mtime)
