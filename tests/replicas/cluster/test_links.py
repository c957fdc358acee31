"""The cluster's addresses avoid the host's, and `ip`'s refusals become ClusterErrors."""

from __future__ import annotations

import ipaddress

import pytest

from drillbook.errors import ClusterError
from drillbook.replicas.cluster import links


def test_the_first_free_slash_24_of_the_pool_is_taken() -> None:
    taken = ["127.0.0.1/8", "10.231.0.1/24", "10.231.1.7/24"]
    assert links.free_subnet(taken) == ipaddress.ip_network("10.231.2.0/24")


def test_a_host_address_covering_the_whole_pool_leaves_no_subnet() -> None:
    with pytest.raises(ClusterError, match=r"Every /24 of 10\.231\.0\.0/16 is in use"):
        links.free_subnet(["10.0.0.1/8"])


def test_removing_what_is_not_there_is_no_error_and_making_a_bad_link_is() -> None:
    links.remove_link("dbk-none-here")
    links.remove_netns("drillbook-none-here")
    assert links.pids_in("drillbook-none-here") == []
    with pytest.raises(ClusterError, match="`ip link set dbk-none-here up` failed"):
        links.set_link("dbk-none-here", up=True)
