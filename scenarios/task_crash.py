"""Task crash: one replica of a swarm service killed, the others still serving.

Its container gets SIGKILL on its node (an out-of-memory kill, a segfault): the
swarm sees the task fail, and its restart policy starts a new task in the same
slot (after its restart delay, 5 s unless the service says otherwise). Nobody
restarts anything: the question is whether the replicas behind the balancer
hide the loss from users, and how long the service runs one short.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Cluster, Targeted, Task, on_cluster
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service

NAME = "task_crash"


def check(target: Target, service: str | None = None) -> None:
    named_service(target, NAME, service, target.app)


def victim(cluster: Cluster, service: str | None = None) -> Task:
    """The running task to kill: the service's last slot, so a drill is repeatable."""
    name = named_service(cluster.target, NAME, service, cluster.target.app).name
    running = [t for t in cluster.tasks(name) if t.state == "running" and t.desired == "running"]
    if not running:
        raise PluginError(f"The scenario {NAME!r} found no running task of {name!r} to kill.")
    return max(running, key=lambda t: t.slot)


def ready(replica: Targeted, service: str | None = None) -> None:
    victim(on_cluster(replica, f"The scenario {NAME!r}"), service)


@contextmanager
def inject(replica: Targeted, service: str | None = None) -> Iterator[Fault]:
    cluster = on_cluster(replica, f"The scenario {NAME!r}")
    task = victim(cluster, service)
    where = f"{task.service}.{task.slot} on {task.node}"
    # The swarm starts a new task by itself: there is nothing to put back.
    fault = Fault(f"task {where}: its container killed (SIGKILL)", lambda: None)
    try:
        cluster.kill_task(task)
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name=NAME,
    description="One replica's container killed on its node; the swarm's restart policy starts a new task.",
    # The other replicas serve: no runbook trigger should trip. The swarm's view is the detection.
    expected_alerts=(),
    expected_recovery="swarm_reschedule",
    rehearses=("web-server-down",),
    steps=(
        "choose the app's running task in the last slot",
        "SIGKILL its container on its node's engine",
        "the swarm sees the task fail and starts a new one in its slot after the restart delay",
    ),
    inject=inject,
    check=check,
    ready=ready,
    engines=("swarm",),
)
