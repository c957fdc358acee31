"""`make bench-registry`: filling a cluster's nodes with an image, save/load against a registry.

Issue #23 asks for a registry on the cluster's network (Debian's
`docker-registry`) if it is faster than `docker save` into `docker load`. Both
ways fill the three nodes of a fresh local cluster with the same image,
PostgreSQL's (the largest drillbook copies), and are timed whole:

- save/load, as drills do it (`local.distribute`): one `docker save` from the
  host's engine into the cluster's folder, then `docker load` into the three
  nodes at once;
- registry: `docker-registry` on the cluster's bridge address, the host's engine
  pushing to it (the push compresses every layer) and the three nodes pulling
  at once (each decompresses). The host's engine pushes to 127.0.0.1, which it
  trusts without TLS, through a forwarder of this process to the bridge, and
  each node pulls from 127.0.0.1:5000 in its own namespace through a forwarder
  there: neither engine's configuration is changed.

The baseline is save/load itself, from the same run; the registry is adopted
only if it is faster. Results go to bench/registry_results.json and .md; exits 1
when the registry path fails. About two minutes; root, `make images`, and
Debian's docker-registry (installed by `make bench-registry`).
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from drillbook.replicas import engine
from drillbook.replicas.cluster import daemons, local
from drillbook.replicas.cluster.ingress import Balancer
from drillbook.replicas.cluster.state import ClusterState

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "registry_results.json"
TABLE = ROOT / "bench" / "registry_results.md"
IMAGE = "drillbook/postgres:15"
PORT = 5000
RELAY = (
    "import socket,threading,sys\n"
    "s=socket.create_server(('127.0.0.1',5000))\n"
    "def pipe(a,b):\n"
    "    try:\n"
    "        while (d:=a.recv(65536)): b.sendall(d)\n"
    "    except OSError: pass\n"
    "    finally: a.close(); b.close()\n"
    "while True:\n"
    "    c,_=s.accept(); u=socket.create_connection((sys.argv[1],5000))\n"
    "    threading.Thread(target=pipe,args=(c,u),daemon=True).start()\n"
    "    threading.Thread(target=pipe,args=(u,c),daemon=True).start()\n"
)
"""127.0.0.1:5000 inside a node's namespace, relayed to the registry on the bridge."""


def say(line: str) -> None:
    print(f"bench-registry: {line}", flush=True)


def by_save_load(root: pathlib.Path) -> float:
    host = engine.connect()
    with local.cluster(root, "bench-registry-load", nodes=3) as cluster:
        started = time.monotonic()
        local.distribute(cluster, host, local.everywhere(cluster, [IMAGE]), say)
        return time.monotonic() - started


def by_registry(root: pathlib.Path) -> tuple[float, float]:
    """Seconds of the push, and of the three pulls at once."""
    host = engine.connect()
    with local.cluster(root, "bench-registry-pull", nodes=3) as cluster:
        bridge = cluster.subnet.rsplit(".", 1)[0] + ".1"
        store = pathlib.Path(cluster.folder) / "registry"
        config = store / "config.yml"
        store.mkdir()
        config.write_text(
            f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {store}/data\nhttp:\n  addr: {bridge}:{PORT}\n"
        )
        registry = subprocess.Popen(
            ["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        relays = [
            subprocess.Popen(["ip", "netns", "exec", n.netns, sys.executable, "-c", RELAY, bridge])
            for n in cluster.nodes
        ]
        try:
            _wait_for(bridge, PORT)
            with Balancer(lambda: [(bridge, PORT)]) as forward:
                pushed = f"127.0.0.1:{forward.port}/{IMAGE}"
                host.images.get(IMAGE).tag(pushed)
                try:
                    started = time.monotonic()
                    for line in host.images.push(pushed, stream=True, decode=True):
                        if "error" in line:
                            raise RuntimeError(f"push: {line['error']}")
                    push_s = time.monotonic() - started
                finally:
                    host.images.remove(pushed)
            started = time.monotonic()
            with ThreadPoolExecutor(3) as pool:
                list(pool.map(lambda n: _pull(cluster, n.name), cluster.nodes))
            return push_s, time.monotonic() - started
        finally:
            for process in (registry, *relays):
                process.kill()
                process.wait()


def _pull(cluster: ClusterState, name: str) -> None:
    node = next(n for n in cluster.nodes if n.name == name)
    daemons.client(node, timeout_s=600).images.pull(f"127.0.0.1:{PORT}/{IMAGE}")


def _wait_for(address: str, port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main() -> int:
    if shutil.which("docker-registry") is None:
        say("docker-registry is not installed: `make bench-registry` installs Debian's package")
        return 1
    root = pathlib.Path(tempfile.mkdtemp(prefix="dbk", dir="/tmp"))
    try:
        load_s = by_save_load(root)
        say(f"save/load into 3 nodes: {load_s:.1f} s")
        push_s, pull_s = by_registry(root)
        say(f"registry: push {push_s:.1f} s, 3 pulls at once {pull_s:.1f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    found = {
        "image": IMAGE,
        "save_load_s": round(load_s, 1),
        "registry_push_s": round(push_s, 1),
        "registry_pull_s": round(pull_s, 1),
        "registry_total_s": round(push_s + pull_s, 1),
        "measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    faster = "the registry" if push_s + pull_s < load_s else "save/load"
    RESULTS.write_text(json.dumps(found, indent=2) + "\n")
    TABLE.write_text(
        "| way | seconds |\n|---|---|\n"
        + "".join(f"| {k} | {v} |\n" for k, v in found.items() if k.endswith("_s"))
        + f"\n{IMAGE} into three nodes of a fresh local cluster; faster: {faster}.\n"
    )
    say(f"faster: {faster}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
