"""127.0.0.1 balanced over a real swarm service's tasks: every task serves, one task killed is
hidden by the others until the swarm has started it again, and a task whose node is cut off is
handed no connection while the swarm still calls it running."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from docker import DockerClient
from docker.types import EndpointSpec, RestartPolicy, ServiceMode

from drillbook.replicas import labels, recipes
from drillbook.replicas.cluster import daemons, ingress, links, local
from drillbook.replicas.cluster.state import ClusterState
from tests.conftest import cluster_root

pytestmark = [pytest.mark.docker, pytest.mark.beside]

SERVE = "mkdir -p /tmp/w && hostname > /tmp/w/index.html && cd /tmp/w && exec python3 -m http.server 8080"
"""Each task answers with its own container's hostname: who served a request is in the answer."""


@pytest.fixture(scope="module")
def cluster(docker_client: DockerClient) -> Iterator[ClusterState]:
    root = cluster_root()
    try:
        with local.cluster(root, "ingress-test", nodes=3) as formed:
            local.distribute(
                formed, docker_client, local.everywhere(formed, [f"{recipes.SAMPLE_IMAGE}:1.0.0"]), lambda _: None
            )
            yield formed
    finally:
        shutil.rmtree(root, ignore_errors=True)


def wait_for(what: str, check: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout_s:g} s: {what}"
        time.sleep(0.2)


def answers(port: int, n: int) -> list[str]:
    with httpx.Client(timeout=2.0) as client:
        return [client.get(f"http://127.0.0.1:{port}/").text.strip() for _ in range(n)]


def answering(port: int, n: int) -> int:
    """How many tasks answered `n` requests, 0 while the balancer closes them unanswered: a task
    the swarm calls running may not listen yet, and with none listening the balancer has nobody
    to hand a connection to."""
    try:
        return len(set(answers(port, n)))
    except httpx.TransportError:
        return 0


def serve(cluster: ClusterState, name: str, published: int, **more: object) -> None:
    """Two tasks answering on port 8080 of their containers, published on their nodes' `published`."""
    daemons.client(cluster.nodes[0]).services.create(  # type: ignore[no-untyped-call]
        f"{recipes.SAMPLE_IMAGE}:1.0.0",
        command=["sh", "-c", SERVE],
        name=name,
        labels=labels.for_drill("ingress-test"),
        mode=ServiceMode("replicated", replicas=2),
        endpoint_spec=EndpointSpec(mode="dnsrr", ports={published: (8080, "tcp", "host")}),  # type: ignore[dict-item]
        **more,
    )


def test_every_task_serves_and_a_killed_one_is_hidden_by_the_other(cluster: ClusterState) -> None:
    serve(cluster, "web", 8080, restart_policy=RestartPolicy(condition="any", delay=0))

    def tasks() -> list[ingress.Address]:
        return ingress.running_tasks(cluster, "web", 8080)

    wait_for("two running tasks", lambda: len(tasks()) == 2)
    assert {address for address, _port in tasks()} < {n.address for n in cluster.nodes}
    with ingress.Balancer(tasks) as balancer:
        wait_for("both tasks answering", lambda: answering(balancer.port, 4) == 2, 30)
        served = answers(balancer.port, 20)
        assert len(set(served)) == 2 and min(served.count(s) for s in set(served)) >= 9  # round robin
        # One task's container killed: its node refuses the next connection, the other task answers.
        killed_address = tasks()[0][0]
        node = next(n for n in cluster.nodes if n.address == killed_address)
        (container,) = daemons.client(node).containers.list(filters={"label": "com.docker.swarm.service.name=web"})
        container.kill()
        during = answers(balancer.port, 20)
        assert len(during) == 20 and str(container.id)[:12] not in during
        wait_for("the swarm started the task again", lambda: len(tasks()) == 2)
        wait_for("two tasks answering again", lambda: answering(balancer.port, 4) == 2, 30)
    with pytest.raises(httpx.ConnectError):  # stopped: nothing listens on its port any more
        httpx.get(f"http://127.0.0.1:{balancer.port}/", timeout=2.0)


def test_a_task_on_a_node_cut_off_is_handed_no_connection(cluster: ClusterState) -> None:
    """The swarm calls the cut node's task running for three heartbeats after it is gone; a
    connection handed to it would wait for nothing (or leave by the default route)."""
    # Off the first node: the manager asked stays connected.
    serve(cluster, "cut-web", 8081, constraints=[f"node.hostname!={cluster.nodes[0].name}"])

    def tasks() -> list[ingress.Address]:
        return ingress.running_tasks(cluster, "cut-web", 8080)

    wait_for("two running tasks", lambda: len(tasks()) == 2)
    cut = next(n for n in cluster.nodes if n.address == tasks()[0][0])
    links.set_link(cut.veth, up=False)
    try:
        left = tasks()
        assert len(left) == 1 and left[0][0] != cut.address
        manager = daemons.client(cluster.nodes[0])
        seen = manager.api.tasks(filters={"service": "cut-web", "desired-state": "running"})  # type: ignore[no-untyped-call]
        assert len([t for t in seen if t["Status"]["State"] == "running"]) == 2  # the swarm has not noticed
    finally:
        links.set_link(cut.veth, up=True)
