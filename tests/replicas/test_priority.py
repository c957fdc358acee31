"""A drill under `nice` gives its containers the weight the kernel gives its own processes."""

from __future__ import annotations

import os
import secrets

import pytest
from docker import DockerClient

from drillbook.replicas import priority
from drillbook.replicas.replica import Replica
from drillbook.replicas.target import Target


def test_nice_levels_become_the_kernels_weights() -> None:
    # sched_prio_to_weight: nice 19 weighs 15, nice 10 weighs 110, nice -5 weighs 3121.
    assert priority.shares_for(0) is None
    assert priority.shares_for(19) == 15
    assert priority.shares_for(10) == 110
    assert priority.shares_for(-5) == 3125
    assert priority.shares_for(-20) == 88818
    lower = [priority.shares_for(n) or 0 for n in range(1, 20)]
    assert lower == sorted(set(lower), reverse=True), "each level weighs less than the one before"


def test_the_priority_is_read_when_a_container_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "getpriority", lambda which, who: 19)
    assert priority.cpu_shares() == 15
    monkeypatch.setattr(os, "getpriority", lambda which, who: 0)
    assert priority.cpu_shares() is None


@pytest.mark.docker
@pytest.mark.beside
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_a_replica_started_under_nice_gives_its_containers_the_same_weight(
    docker_client: DockerClient, sample_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "getpriority", lambda which, who: 19)
    with Replica(docker_client, sample_target, f"test-{secrets.token_hex(4)}") as running:
        shares = {s.name: running.container(s.name).attrs["HostConfig"]["CpuShares"] for s in sample_target.services}
    assert shares == {s.name: 15 for s in sample_target.services}
