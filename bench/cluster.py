"""`make bench-cluster`: the local Swarm cluster's set-up, and a lost node as the swarm sees it.

The groundwork of issue #23's node-lost drill, measured before any drill runs on it:

1. set-up: three daemons in their network namespaces ready, the swarm formed,
   and the sample service's image copied into every node by `docker save` into
   `docker load`; and the removal of it all. Target: daemons and swarm within
   10 s.
2. a node cut off (its link down) until a manager marks it `down`, and from the
   link restored until `ready` again, against the swarm's own dispatcher
   heartbeat period read from the swarm (its spec, not a number of ours): a
   manager declares a node down after three heartbeat periods without one, so
   that is the lower bound a drill cannot beat. Target: down within three
   periods plus 2 s (the namespace's link behaves like a network cut, nothing of
   drillbook's slows it).

3. the node-lost drill (drills/catalog/node-lost.yaml) at Swarm's own heartbeat
   (5 s, not the catalog's scaled 1 s), run as `drillbook run` runs it: its
   cluster's set-up and images, then from the cut to the node marked down and
   to its task running elsewhere (the procedure's figures), and how long the
   service did not answer (its downtime as the probes saw it through the
   balancer), beside the heartbeat the swarm reports. Target: the drill passes
   and sees the node down within three heartbeats plus 2 s.

Results go to bench/cluster_results.json and .md; exits 1 naming each missed target.
About three minutes; needs root (namespaces, links) and `make images`.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.replicas import engine, recipes
from drillbook.replicas.cluster import daemons, links, local
from drillbook.replicas.cluster.state import ClusterState

ROOT = pathlib.Path(__file__).resolve().parents[1]
CATALOG = ROOT / "drills" / "catalog"
SWARM_HEARTBEAT_S = 5.0
RESULTS = ROOT / "bench" / "cluster_results.json"
TABLE = ROOT / "bench" / "cluster_results.md"
TARGETS = {"setup_s": 10.0, "down_margin_s": 2.0}


def say(line: str) -> None:
    print(f"bench-cluster: {line}", flush=True)


def until(cluster: ClusterState, node: str, state: str, timeout_s: float = 90.0) -> float:
    """Seconds until the swarm says `node` is in `state` (polled every 0.1 s)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if any(n.hostname == node and n.state == state for n in local.nodes(cluster)):
            return time.monotonic() - started
        time.sleep(0.1)
    raise SystemExit(f"bench-cluster: {node} not {state} within {timeout_s:g} s")


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def node_lost_drill(folder: pathlib.Path) -> tuple[dict[str, float], list[str]]:
    """The catalog's node-lost drill at Swarm's default heartbeat: its figures, and what it missed."""
    path = spec.write_variant(
        CATALOG / "node-lost.yaml", folder, "bench-node-lost", engine={"heartbeat_s": SWARM_HEARTBEAT_S}
    )
    runner = DrillRunner(spec.load(path), folder / "out")
    result = runner.run()
    doc = runner.document
    said = [e["detail"] for e in doc["timeline"] if e["kind"] == "swarm"]

    def seconds(prefix: str) -> float:
        return sum(float(line.rsplit(" in ", 1)[1].split(" s")[0]) for line in said if line.startswith(prefix))

    heartbeat = next(float(x.split(" is ")[1].split(" s")[0]) for x in said if "dispatcher heartbeat" in x)
    m, figures = doc["measurements"], doc["figures"]
    found = {
        "drill_cluster_s": seconds("3 daemons ready") + seconds("swarm of "),
        "drill_images_s": seconds("image "),
        "drill_heartbeat_s": heartbeat,
        "drill_node_down_s": figures.get("node_down_s", float("nan")),
        "drill_rescheduled_s": figures.get("rescheduled_s", float("nan")),
        "drill_downtime_s": m.get("downtime_s") or 0.0,
        "drill_wall_s": doc["duration_s"],
    }
    missed = [] if result.verdict == "passed" else [f"the node-lost drill {result.verdict}: {result.error}"]
    if not found["drill_node_down_s"] <= 3 * heartbeat + TARGETS["down_margin_s"]:
        missed.append(f"the drill saw the node down after {found['drill_node_down_s']} s > 3 heartbeats + 2 s")
    return found, missed


def main() -> int:
    host = engine.connect()
    sample = f"{recipes.SAMPLE_IMAGE}:1.0.0"
    root = pathlib.Path(tempfile.mkdtemp(prefix="dbkb", dir="/tmp"))
    figures: dict[str, float] = {}
    try:
        started = time.monotonic()
        cluster = local.form(root, "bench-cluster", nodes=3, say=say)
        figures["setup_s"] = time.monotonic() - started
        try:
            figures["images_s"] = timed(
                lambda: local.distribute(cluster, host, local.everywhere(cluster, [sample]), say)
            )
            swarm_spec = daemons.client(cluster.nodes[0]).swarm.attrs["Spec"]
            figures["heartbeat_s"] = swarm_spec["Dispatcher"]["HeartbeatPeriod"] / 1e9
            lost = cluster.nodes[2]
            links.set_link(lost.veth, up=False)
            figures["down_s"] = until(cluster, lost.name, "down")
            links.set_link(lost.veth, up=True)
            figures["ready_again_s"] = until(cluster, lost.name, "ready")
        finally:
            figures["removal_s"] = timed(lambda: local.remove(cluster))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="drillbook-bench-") as folder:
        drilled, missed = node_lost_drill(pathlib.Path(folder))
    figures |= drilled
    bound = 3 * figures["heartbeat_s"]
    if figures["setup_s"] > TARGETS["setup_s"]:
        missed.append(f"set-up {figures['setup_s']:.1f} s > {TARGETS['setup_s']:g} s")
    if figures["down_s"] > bound + TARGETS["down_margin_s"]:
        missed.append(f"node down after {figures['down_s']:.1f} s > 3 heartbeats ({bound:g} s) + 2 s")
    document = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "figures": figures, "missed": missed}
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    rows = [f"| {name} | {value:.2f} |" for name, value in figures.items()]
    TABLE.write_text(
        "# Local Swarm cluster (3 managers)\n\n| figure | seconds |\n|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Lower bound for `down_s`: three dispatcher heartbeats, {bound:g} s. The `drill_` figures are\n"
        "the node-lost drill at that heartbeat: `drill_node_down_s` and `drill_rescheduled_s` from the cut,\n"
        "`drill_downtime_s` how long the service did not answer through the balancer (0: never).\n"
    )
    for row in rows:
        say(row)
    for line in missed:
        say(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
