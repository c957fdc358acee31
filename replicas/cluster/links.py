"""The cluster's network: one bridge on the host, a namespace per node, a veth pair to each.

Made and removed with iproute2's `ip`, by the names the state file holds; a
name that is not there is not an error on removal (teardown runs twice, and
after a crash halfway).
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import pathlib
import subprocess
import tempfile
from collections.abc import Iterator

from drillbook.errors import ClusterError

POOL = ipaddress.IPv4Network("10.231.0.0/16")
"""The /24s a cluster's bridge takes one of. Swarm's own overlay networks are given
10.232.0.0/16 (`local.ADDRESS_POOL`), so the two never meet."""


GONE = ("Cannot find device", "No such device", "No such file", "does not exist")
"""What `ip` says of a device or namespace that is not there (RTNETLINK's own words among them)."""


def ip(*args: str, missing_ok: bool = False) -> str:
    try:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ClusterError(
            f"`ip {' '.join(args)}` could not run ({exc}); the local cluster needs iproute2 and root."
        ) from exc
    if done.returncode != 0:
        said = done.stderr.strip()
        # A link goes with its namespace, a moment after the namespace is deleted: gone either way.
        if missing_ok and any(gone in said for gone in GONE):
            return ""
        raise ClusterError(
            f"`ip {' '.join(args)}` failed ({said or f'exit {done.returncode}'}). The local cluster makes "
            "network namespaces and links, which needs root (CAP_NET_ADMIN) on Linux."
        )
    return done.stdout


def free_subnet(taken: list[str]) -> ipaddress.IPv4Network:
    """The first /24 of the pool that no address on this host is in."""
    used = [ipaddress.IPv4Interface(a).network for a in taken]
    for subnet in POOL.subnets(new_prefix=24):
        if not any(subnet.overlaps(u) for u in used):
            return subnet
    raise ClusterError(f"Every /24 of {POOL} is in use on this host; remove a stale cluster (`drillbook cleanup`).")


@contextlib.contextmanager
def claimed_subnet() -> Iterator[ipaddress.IPv4Network]:
    """A free /24, that no other drill on this host picks until the block ends (by then the
    bridge holds its address): two clusters formed at once would otherwise pick the same one."""
    lock_file = pathlib.Path(tempfile.gettempdir()) / "drillbook-cluster-subnets.lock"
    with lock_file.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield free_subnet(host_addresses())


def host_addresses() -> list[str]:
    rows = json.loads(ip("-j", "-4", "addr") or "[]")
    return [f"{a['local']}/{a['prefixlen']}" for row in rows for a in row.get("addr_info", [])]


def make_bridge(name: str, address: str) -> None:
    ip("link", "add", name, "type", "bridge")
    ip("addr", "add", address, "dev", name)
    ip("link", "set", name, "up")


def _forward_rule(bridge: str) -> list[str]:
    return ["FORWARD", "-i", bridge, "-o", bridge, "-m", "comment", "--comment", f"drillbook {bridge}", "-j", "ACCEPT"]


def allow_forwarding(bridge: str) -> None:
    """Let the nodes reach each other across the bridge. With br_netfilter loaded (Docker
    loads it), bridged frames pass the host's FORWARD chain, whose policy Docker sets to DROP:
    without this rule no node hears another and a join times out."""
    _iptables("-I", *_forward_rule(bridge))


def remove_forwarding(bridge: str) -> None:
    while _iptables("-C", *_forward_rule(bridge), missing_ok=True):
        _iptables("-D", *_forward_rule(bridge))


def _iptables(*args: str, missing_ok: bool = False) -> bool:
    try:
        done = subprocess.run(["iptables", "-w", "10", *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ClusterError(
            f"`iptables {' '.join(args)}` could not run ({exc}); the local cluster needs iptables and root."
        ) from exc
    if done.returncode != 0 and not missing_ok:
        raise ClusterError(f"`iptables {' '.join(args)}` failed ({done.stderr.strip() or done.returncode}).")
    return done.returncode == 0


def make_node_link(netns: str, veth: str, bridge: str, address: str, gateway: str) -> None:
    """The namespace, and a veth pair: `veth` on the bridge, `eth0` inside with `address`."""
    ip("netns", "add", netns)
    ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns)
    ip("link", "set", veth, "master", bridge, "up")
    ip("-n", netns, "addr", "add", address, "dev", "eth0")
    ip("-n", netns, "link", "set", "lo", "up")
    ip("-n", netns, "link", "set", "eth0", "up")
    ip("-n", netns, "route", "add", "default", "via", gateway)


def set_link(veth: str, up: bool) -> None:
    """A node cut off from the others (its link down), or back."""
    ip("link", "set", veth, "up" if up else "down")


def link_up(veth: str) -> bool:
    """Is the link administratively up (not cut by a drill)?"""
    shown = ip("-o", "link", "show", veth, missing_ok=True)
    return "UP" in shown.partition("<")[2].partition(">")[0].split(",")


def pids_in(netns: str) -> list[int]:
    return [int(p) for p in ip("netns", "pids", netns, missing_ok=True).split() if p.isdigit()]


def remove_netns(netns: str) -> None:
    ip("netns", "delete", netns, missing_ok=True)


def remove_link(name: str) -> None:
    ip("link", "delete", name, missing_ok=True)
