"""The cluster's addresses avoid the host's, and `ip`'s refusals become ClusterErrors."""

from __future__ import annotations

import ipaddress
import pathlib
import subprocess
import tempfile
import threading

import pytest

from drillbook.errors import ClusterError
from drillbook.replicas.cluster import links


def test_the_first_free_slash_24_of_the_pool_is_taken() -> None:
    taken = ["127.0.0.1/8", "10.231.0.1/24", "10.231.1.7/24"]
    assert links.free_subnet(taken) == ipaddress.ip_network("10.231.2.0/24")


def test_a_host_address_covering_the_whole_pool_leaves_no_subnet() -> None:
    with pytest.raises(ClusterError, match=r"Every /24 of 10\.231\.0\.0/16 is in use"):
        links.free_subnet(["10.0.0.1/8"])


def test_two_clusters_formed_at_once_get_two_subnets(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    """The second pick waits until the first one's bridge holds its address."""
    bridges = ["127.0.0.1/8"]
    monkeypatch.setattr(links, "host_addresses", lambda: list(bridges))
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    picked: list[ipaddress.IPv4Network] = []
    first_holds, second_done = threading.Event(), threading.Event()

    def second() -> None:
        first_holds.wait()
        with links.claimed_subnet() as subnet:
            picked.append(subnet)
        second_done.set()

    other = threading.Thread(target=second)
    other.start()
    with links.claimed_subnet() as subnet:
        picked.append(subnet)
        first_holds.set()
        assert not second_done.wait(0.3), "the second pick did not wait for the first bridge"
        bridges.append(f"{subnet.network_address + 1}/24")
    other.join(timeout=5)
    assert [str(s) for s in picked] == ["10.231.0.0/24", "10.231.1.0/24"]


def test_removing_what_is_not_there_is_no_error_and_making_a_bad_link_is() -> None:
    links.remove_link("dbk-none-here")
    links.remove_netns("drillbook-none-here")
    assert links.pids_in("drillbook-none-here") == []
    with pytest.raises(ClusterError, match="`ip link set dbk-none-here up` failed"):
        links.set_link("dbk-none-here", up=True)


def test_a_link_already_gone_with_its_namespace_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel's own words (RTNETLINK's "No such device") when the host end of a veth vanished
    with its namespace between the listing and the delete; CI saw it end a cluster's removal."""
    said = subprocess.CompletedProcess(["ip"], 2, "", "RTNETLINK answers: No such device\n")
    monkeypatch.setattr(subprocess, "run", lambda *_a, **_k: said)
    assert links.ip("link", "delete", "dbk0v1", missing_ok=True) == ""
    with pytest.raises(ClusterError, match="No such device"):
        links.ip("link", "delete", "dbk0v1")
