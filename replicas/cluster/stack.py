"""The replica as a Swarm stack, on a local cluster made for the drill and removed after it
(or lent to it, and cleared of what the drill made: `lent.py`).

The images the desired state names are copied into every node; each of the target's
services becomes a Swarm service on the drill's overlay network, with the drill's labels:
the app's `replicas` tasks at most one a node, `endpoint_mode: dnsrr` (no IPVS here, so no
VIP), the stateful services pinned where their volumes live (`services.placement`). Each
task publishes its port on its node (`mode: host`); the harness reaches it only on
127.0.0.1, through a balancer (`ingress.py`). What only a single engine can do to a
container is refused with `ReplicaError` (`refusals.py`); plug-ins say their engines.
"""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import docker.errors
import httpx
from docker import DockerClient
from docker.models.containers import Container

from drillbook.contract import EventKind
from drillbook.errors import ClusterError, EngineError, ReplicaError, ServiceNotReady
from drillbook.replicas import cgroups, desired_state, labels, loopback, postgres
from drillbook.replicas.cluster import daemons, deploys, ingress, leadership, lent, local, outages, services
from drillbook.replicas.cluster.refusals import Refusals
from drillbook.replicas.cluster.state import ROOT, ClusterState, Node
from drillbook.replicas.cluster.swarm_watch import SwarmWatch
from drillbook.replicas.containers import EventSink
from drillbook.replicas.desired_state import Commit, DesiredState, ServiceState
from drillbook.replicas.protocols import Replacement, Task
from drillbook.replicas.target import Service, Target, start_order


@dataclass(frozen=True)
class SwarmSettings:
    """The drill's `engine:` section, in the replica's terms (each field as `schema.EngineModel`'s)."""

    nodes: int = 3
    managers: int | None = None
    replicas: int = 2
    heartbeat_s: float = 5.0
    first_leader: str = "node1"


class Stack(Refusals):
    """The target's services as Swarm services; every call maps engine errors to drillbook's."""

    def __init__(
        self,
        client: DockerClient,
        target: Target,
        drill_id: str,
        on_event: EventSink = lambda _kind, _detail: None,
        desired: DesiredState | None = None,
        settings: SwarmSettings = SwarmSettings(),
        images: tuple[str, ...] = (),
        root: pathlib.Path = ROOT,
        lent_cluster: ClusterState | None = None,
    ) -> None:
        """`images`: more than the desired state names, copied into every node too (a release a
        fault rolls out: the nodes pull from no registry). `lent_cluster`: one to use and leave."""
        self.client = client
        self.target = target
        self.drill_id = drill_id
        self.desired = desired
        self.settings = settings
        self.root = root
        self.images = images
        self._on_event = on_event
        self.cluster: ClusterState | None = lent_cluster
        self._lent = lent_cluster is not None
        self.database_service = target.database.service
        self.replacements: list[Replacement] = []
        self.applied: dict[str, ServiceState] = {}
        self.previous: dict[str, ServiceState] = {}
        """What a service ran before its last update: what `rollback` puts back."""
        self.network_name = services.Names(drill_id).network()
        # Bound now: the load is told the app's address before the replica starts.
        self.balancers = {s.name: ingress.Balancer(self._upstreams(s.name, s.port)) for s in target.services if s.port}
        self.ports: dict[str, int] = {name: b.port for name, b in self.balancers.items()}
        self.watch = SwarmWatch(self.nodes, self._tasks_now, on_event, last_words=self._last_words)
        self._torn_down = False

    # --- naming -------------------------------------------------------------

    def url(self, service: str | None = None) -> str:
        return f"http://127.0.0.1:{self.ports[service or self.target.app]}"

    def db_conninfo(self, timeout_s: float = 2.0) -> str:
        return postgres.conninfo(self.target.database, self.ports[self.database_service], timeout_s)

    def container_name(self, service: str) -> str:
        return f"the tasks of swarm service {service!r} (docker -H <manager> service ps {service})"

    def network_of(self, name: str = "default") -> str:
        return services.Names(self.drill_id).network(name)

    def _names(self) -> services.Names:
        return services.Names(self.drill_id, tuple(self.node_names()))

    def replicas_of(self, service: str) -> int:
        return self.settings.replicas if service == self.target.app else 1

    # --- lifecycle ----------------------------------------------------------

    def start(self, ready_timeout_s: float = 120.0) -> None:
        """Form the cluster, fill it with images, create the services in dependency order and
        wait until each answers on 127.0.0.1."""
        s = self.settings
        if self.cluster is not None:
            self._say(lent.fit(self.cluster, s.nodes, s.managers, s.heartbeat_s))
        else:
            self.cluster = local.form(
                self.root, self.drill_id, s.nodes, s.managers, self._say, s.heartbeat_s, s.first_leader
            )
        states = self.desired_states()
        images = {name: st.image for name, st in states.items()}
        needs = services.image_nodes(self.target, images, list(self.images), tuple(self.node_names()))
        local.distribute(self.cluster, self.client, needs, self._say)
        try:
            manager = self._manager()
            heartbeat = manager.swarm.attrs["Spec"]["Dispatcher"]["HeartbeatPeriod"] / 1e9
            self._say(f"the swarm's dispatcher heartbeat is {heartbeat:g} s: a node is marked down after about three")
            for net in self.target.networks:
                manager.networks.create(
                    self.network_of(net), driver="overlay", attachable=True, labels=labels.for_drill(self.drill_id)
                )
            for balancer in self.balancers.values():
                balancer.start()
            self.watch.start()
            for service in start_order(self.target.services):
                for needed, condition in service.depends_on.items():
                    if condition == "service_healthy":
                        self.wait_ready(needed, ready_timeout_s)
                state = states[service.name]
                replicas = self.replicas_of(service.name)
                where = services.create(manager, service, state, self.target, self._names(), replicas)
                self.applied[service.name] = state
                self._on_event(EventKind.CONTAINER, f"swarm service {service.name} ({state.image}) created: {where}")
            for service in self.target.services:
                self.wait_ready(service.name, ready_timeout_s)
            counts = {s.name: self.replicas_of(s.name) for s in self.target.services}
            services.settled(self.tasks, counts, ready_timeout_s)
        except docker.errors.APIError as exc:
            raise EngineError(f"The local swarm refused to create the replica: {exc.explanation or exc}.") from exc

    def desired_states(self) -> dict[str, ServiceState]:
        if self.desired is not None:
            return self.desired.read()
        return {
            s.name: ServiceState(image=s.image, env=dict(s.env), flags=dict(s.flags), mem_limit=s.mem_limit)
            for s in self.target.services
        }

    def teardown(self) -> None:
        """The balancers stopped and the whole cluster removed from its state file (a lent one:
        what the drill made on it); safe to repeat."""
        self.watch.stop()
        for balancer in self.balancers.values():
            balancer.stop()
        if self.cluster is None or self._torn_down:
            return
        removed = lent.clear(self.cluster, self.drill_id) if self._lent else local.remove(self.cluster)
        self._torn_down = True
        whose = "from the lent cluster" if self._lent else "the local cluster"
        self._on_event(EventKind.TEARDOWN, f"removed {whose} {self.cluster.cluster_id}: {', '.join(removed)}")

    def _say(self, line: str) -> None:
        self._on_event(EventKind.SWARM, line)

    # --- the swarm's view ----------------------------------------------------

    def _cluster(self) -> ClusterState:
        if self.cluster is None:
            raise ReplicaError("The local cluster has not been formed yet.")
        return self.cluster

    def _manager(self, wait_s: float = 60.0) -> DockerClient:
        return daemons.client(self._manager_node(wait_s), timeout_s=10)

    def _manager_node(self, wait_s: float = 60.0) -> Node:
        return local.manager(self._cluster(), wait_s)

    def _upstreams(self, service: str, port: int) -> Callable[[], list[ingress.Address]]:
        return lambda: ingress.running_tasks(self.cluster, service, port) if self.cluster else []

    def _tasks_now(self) -> list[Task]:
        return self.tasks(wait_s=0)

    def _last_words(self, task: Task) -> str:
        return services.last_words(lambda: daemons.client(self.node(task.node), timeout_s=5), task)

    def node(self, name: str) -> Node:
        return local.node_named(self._cluster(), name)

    def node_names(self) -> list[str]:
        return [n.name for n in self._cluster().nodes]

    def nodes(self) -> list[local.SwarmNode]:
        """Each node as the swarm sees it (ready or down, manager, leader)."""
        return local.nodes(self._cluster())

    def tasks(self, service: str | None = None, *, wait_s: float = 60.0) -> list[Task]:
        """The tasks the swarm wants running, or has just stopped, with the node each is on;
        `wait_s` for a manager with a leader (0: what observes the drill never waits)."""
        try:
            return services.tasks(self._manager(wait_s), service)
        except (ClusterError, docker.errors.DockerException, OSError) as exc:
            raise ReplicaError(f"The swarm's managers did not list the tasks: {exc}.") from exc

    def running(self, service: str, *, wait_s: float = 60.0) -> list[Task]:
        return [t for t in self.tasks(service, wait_s=wait_s) if t.state == "running"]

    def cut(self, node: str) -> None:
        """The node's link down: no frame in or out, as if its network cable were pulled."""
        self._say(outages.cut(self.node(node)))

    def rejoin(self, node: str) -> None:
        self._say(outages.rejoin(self.node(node)))

    def kill_daemon(self, node: str) -> None:
        self._say(outages.kill_daemon(self.node(node)))

    def restart_daemon(self, node: str) -> None:
        self.cluster, said = outages.restart_daemon(self._cluster(), node)
        self._say(said)

    def down_since(self, node: str) -> float | None:
        self.watch.look_now()
        return self.watch.down_since.get(node)

    def serve_database(self, service: str) -> None:
        """Failover, the swarm's way (`deploys.take_over`): `service` takes the database's name."""
        db = self.target.service(self.target.database.service)
        spec = self.target.service(service)
        deploys.take_over(self._manager(), db, spec, services.attachments(spec, self._names(), db.host))
        self.database_service = service
        waited = self.wait_ready(service)
        line = f"{service} now answers as {db.host!r} (its task restarted with the name; ready after {waited:.2f} s)"
        self._on_event(EventKind.FAILOVER, f"{line}; {db.name} scaled to 0")

    def leader(self) -> str | None:
        return next((n.hostname for n in self.nodes() if n.leader), None)

    def step_down(self, node: str) -> str:
        leader = leadership.step_down(self._cluster(), node)
        self._say(f"{node} stepped down (demoted, then promoted again): {leader} leads")
        return leader

    def take_update(self, timeout_s: float) -> str:
        return leadership.take_update(self._cluster(), timeout_s)

    # --- a service's containers: its running tasks ------------------------------

    def _container(self, service: str, wait_s: float = 60.0) -> Container:
        """The container of the service's first running task, on its node's engine."""
        for task in self.running(service, wait_s=wait_s):
            if task.container_id is None:
                continue
            try:
                return daemons.client(self.node(task.node), timeout_s=10).containers.get(task.container_id)
            except (docker.errors.DockerException, OSError):
                continue
        raise ReplicaError(f"Swarm service {service!r} has no running task whose engine answers.")

    def status(self, service: str) -> str:
        tasks = self.tasks(service)
        if any(t.state == "running" for t in tasks):
            return "running"
        return tasks[0].state if tasks else "absent"

    def kill(self, service: str) -> None:
        try:
            self._container(service).kill()
        except docker.errors.APIError as exc:
            raise ReplicaError(f"Could not kill a task of {service!r}: {exc.explanation or exc}.") from exc

    def kill_task(self, task: Task) -> None:
        try:  # a task with no container yet is not found either
            daemons.client(self.node(task.node), timeout_s=10).containers.get(task.container_id or "-").kill()
        except (docker.errors.DockerException, OSError) as exc:
            raise ReplicaError(f"Could not kill task {task.service}.{task.slot} on {task.node}: {exc}.") from exc

    def exec(self, service: str, command: list[str], env: Mapping[str, str] | None = None) -> tuple[int, str]:
        try:
            result = self._container(service).exec_run(command, environment=dict(env) if env else None)
        except docker.errors.APIError as exc:
            raise ReplicaError(f"Could not run a command in {service!r}: {exc.explanation or exc}.") from exc
        output = result.output.decode(errors="replace") if isinstance(result.output, bytes) else ""
        return int(result.exit_code or 0), output

    def logs(self, service: str, tail: int) -> bytes:
        try:
            return bytes(self._container(service, wait_s=0).logs(tail=tail))
        except docker.errors.APIError as exc:
            raise ReplicaError(f"Could not read the log of {service!r}: {exc.explanation or exc}.") from exc

    def memory(self, service: str) -> tuple[int, int] | None:
        stats = self._stats(service)
        return None if stats is None else cgroups.memory_from_stats(stats)

    def cpu_ns(self, service: str) -> int | None:
        stats = self._stats(service)
        return None if stats is None else int(stats["cpu_stats"]["cpu_usage"]["total_usage"])

    def _stats(self, service: str) -> dict[str, Any] | None:
        with contextlib.suppress(ReplicaError):
            return services.stats(self._container(service, wait_s=0))
        return None

    def oom_killed(self, service: str) -> bool:
        """A task of the service that failed for its memory limit; False when the swarm cannot say."""
        with contextlib.suppress(ReplicaError):
            failed = [t for t in self.tasks(service, wait_s=0) if t.state == "failed"]
            return any("OOM" in t.error or "137" in t.error for t in failed)
        return False

    def restart_count(self, service: str) -> int:
        """Tasks that ended on their own and were replaced: Swarm's restarts."""
        return sum(1 for t in self.tasks(service) if t.state in ("failed", "complete"))

    def wait_ready(self, service_name: str, timeout_s: float = 120.0) -> float:
        """Until the service answers a real request on 127.0.0.1; the seconds waited."""
        service = self.target.service(service_name)
        return services.wait_answering(
            service_name,
            lambda: self._answers(service),
            lambda: [t.error for t in self.tasks(service_name) if t.error],
            timeout_s,
        )

    def _answers(self, service: Service) -> bool:
        port = self.ports.get(service.name)
        if port is None or service.ready.kind in ("running", "healthcheck"):
            with contextlib.suppress(ReplicaError):
                return bool(self.running(service.name))
            return False
        if service.ready.kind == "postgres":
            return postgres.answers(self.target.database, port, timeout_s=2.0)
        try:
            return loopback.get(f"http://127.0.0.1:{port}{service.ready.path}", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    # --- the desired state, reconciled by Swarm's rolling update --------------------

    def require_desired(self) -> DesiredState:
        return desired_state.require(self.desired)

    def commit(self, change: Callable[[dict[str, Any]], None], message: str) -> Commit:
        return desired_state.commit_said(self.desired, self._on_event, change, message)

    def revert(self, commit: Commit) -> Commit:
        return desired_state.revert_said(self.desired, self._on_event, commit)

    def reconcile(
        self, ready_timeout_s: float = 120.0, *, wait: bool = True, not_ready_is_fault: bool = False
    ) -> list[str]:
        """Update each service whose desired state changed (`docker service update`) and wait
        until Swarm's rolling update settles. One that pauses on a failed task raises
        `ServiceNotReady`, unless `not_ready_is_fault` (a deploy): then it is recorded and left
        paused, as a deploy tool leaves it."""
        states = self.desired_states()
        head = self.desired.head().short if self.desired is not None else "target"
        changed = [s for s in self.target.services if states[s.name] != self.applied.get(s.name)]
        manager = self._manager()
        for service in changed:
            state = states[service.name]
            deploys.update(manager, service, state)
            self.previous[service.name] = self.applied[service.name]
            self.applied[service.name] = state
            if not wait:
                self._on_event(EventKind.RECONCILE, f"{service.name} updating to {state.image} as of {head}")
                continue
            replaced, line = deploys.rolled(manager, service, state, head, ready_timeout_s, self._answers)
            self.replacements.append(replaced)
            self._on_event(EventKind.RECONCILE, line)
            if replaced.ready_at is None and not not_ready_is_fault:
                why = replaced.outcome
                raise ServiceNotReady(
                    f"The rolling update of {service.name!r} did not finish: {why}.", service.name, why
                )
        if not changed:
            self._on_event(EventKind.RECONCILE, f"nothing to change at {head}")
        return [s.name for s in changed]

    def rollback(self, service: str, timeout_s: float = 120.0) -> str:
        """`docker service rollback`, waited for: the previous spec runs again; how it went."""
        node = self._manager_node()
        said = deploys.rollback(node.socket, daemons.client(node, timeout_s=10), service, timeout_s)
        if service in self.previous:
            self.applied[service] = self.previous.pop(service)
        self._on_event(EventKind.RECONCILE, f"{service} rolled back by the swarm: {said}")
        return said
