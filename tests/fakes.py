"""An in-memory replica for unit tests of scenarios, procedures and phases.

It implements `replicas.protocols.ReplicaAPI` with the real one's rules (a
container that is gone raises `ReplicaError`, a release that never answers
raises `ServiceNotReady`, the desired state is a real git repository) but
without an engine. The application answers real HTTP on 127.0.0.1 (`FakeApp`),
so steps that call the service are tested over a socket; the database's port
is closed, so a step that needs SQL fails as it would with PostgreSQL down.
It is the proof of a plug-in's logic, never of a drill: real drills are.
"""

from __future__ import annotations

import json
import pathlib
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from drillbook.drills import spec
from drillbook.drills.run.masking import Masker
from drillbook.drills.run.phases.recover import attempt
from drillbook.drills.run.state import Drill
from drillbook.errors import ClusterError, ReplicaError, ServiceNotReady
from drillbook.recovery.base import AnyProcedure
from drillbook.replicas import postgres
from drillbook.replicas.desired_state import Commit, DesiredState, ServiceState
from drillbook.replicas.protocols import Ran as Typed
from drillbook.replicas.protocols import Replacement, Task
from drillbook.replicas.target import Target
from drillbook.scenarios import REGISTRY as SCENARIOS

Answer = tuple[int, Any]


@dataclass
class FakeApp:
    """The service over real HTTP: every path answers `status` unless a route says otherwise
    (a route's body may be a function of the JSON sent)."""

    status: int = 200
    delay_s: float = 0.0
    """How late every answer comes (a slow service)."""
    routes: dict[tuple[str, str], Answer] = field(default_factory=dict)
    seen: list[tuple[str, str, bytes]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def answer(self, method: str, path: str, status: int, body: Any = None) -> None:
        self.routes[(method, path)] = (status, body)

    def start(self) -> int:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                sent = self.rfile.read(length)
                app.seen.append((self.command, self.path, sent))
                if app.delay_s:
                    time.sleep(app.delay_s)
                status, body = app.routes.get((self.command, self.path), (app.status, {"status": "ok"}))
                if callable(body):  # an echo: the answer depends on what was sent
                    body = body(json.loads(sent or b"null"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _reply

            def log_message(self, format: str, *args: object) -> None:
                return None

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                return None  # a client that gave up (its timeout) is what some tests want

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return int(self._server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ExecRule = tuple[re.Pattern[str], Callable[[str, str], tuple[int, str]]]


@dataclass
class FakeTerminal:
    """The toolbox's terminal, answering each command by the first rule whose text it contains
    (a command no rule answers exits 0, silently); a push is scripted by `push_on`."""

    answers: dict[str, Typed] = field(default_factory=dict)
    typed: list[str] = field(default_factory=list)
    published: int = 0
    push_on: str | None = None
    pushed_sha: str | None = None
    taken: int = 0

    def type(self, text: str, timeout_s: float) -> Typed:
        self.typed.append(text)
        if self.push_on is not None and self.push_on in text:
            self.pushed_sha = "f" * 40
        return next((ran for key, ran in self.answers.items() if key in text), Typed(0, "", 0.01))

    def pushed(self) -> str | None:
        return self.pushed_sha

    def take_push(self) -> str:
        self.pushed_sha = None
        self.taken += 1
        return "fffffff"

    def publish(self) -> None:
        self.published += 1


class FakeReplica:
    """Containers as states in a dict; commands answered by rules; desired state in git."""

    def __init__(self, target: Target, desired: DesiredState, app: FakeApp) -> None:
        self.target = target
        self.desired = desired
        self.app = app
        self.states: dict[str, str] = {s.name: "running" for s in target.services}
        self.restarts: dict[str, int] = dict.fromkeys(self.states, 0)
        self.memory_readings: dict[str, list[tuple[int, int]]] = {}
        self.log_lines: dict[str, bytes] = {}
        """What `logs` answers for a service: its log's last lines."""
        self.network_name = "drillbook-fake"
        self.drill_id = "fake"
        self.exec_env: dict[str, str] = {}
        """The environment the last exec was given."""
        self.on_network: set[str] = set(self.states)
        self.database_service = target.database.service
        self.never_ready: set[str] = set()
        """Images whose containers never answer (a broken release)."""
        self.applied: dict[str, ServiceState] = desired.read()
        self.replacements: list[Replacement] = []
        self.actions: list[str] = []
        """Every operation, in order: `kill db`, `exec app ps -eo ...`, `reconcile app`."""
        self.rules: list[ExecRule] = []
        self.removed_volumes: list[str] = []
        self.ports: dict[str, int] = {s.name: closed_port() for s in target.services}
        self.ports[target.app] = app.start()
        self.extra_apps: list[FakeApp] = []
        self.fake_terminal: FakeTerminal | None = None

    def terminal(self) -> FakeTerminal:
        if self.fake_terminal is None:
            raise ReplicaError("This drill has no toolbox.")
        return self.fake_terminal

    def add_app(self, service: str) -> FakeApp:
        """Another service answering HTTP (a payment provider, a fault proxy's control port)."""
        app = FakeApp()
        self.ports[service] = app.start()
        self.extra_apps.append(app)
        return app

    # --- addresses --------------------------------------------------------------

    def url(self, service: str | None = None) -> str:
        return f"http://127.0.0.1:{self.ports[service or self.target.app]}"

    def db_conninfo(self, timeout_s: float = 2.0) -> str:
        return postgres.conninfo(self.target.database, self.ports[self.database_service], timeout_s)

    def container_name(self, service: str) -> str:
        return f"fake-{service}"

    # --- containers -------------------------------------------------------------

    def _container(self, service: str, verb: str, detail: str = "") -> str:
        self.target.service(service)  # a service the target does not have is a KeyError, as in Replica
        self.actions.append(f"{verb} {service} {detail}".rstrip())
        state = self.states[service]
        if state == "gone":
            raise ReplicaError(f"The container of service {service!r} no longer exists.")
        return state

    def status(self, service: str) -> str:
        return self._container(service, "status")

    def kill(self, service: str) -> None:
        self._container(service, "kill")
        self.states[service] = "exited"

    def stop(self, service: str, timeout_s: int = 10) -> None:
        self._container(service, "stop")
        self.states[service] = "exited"

    def pause(self, service: str) -> None:
        self._container(service, "pause")
        self.states[service] = "paused"

    def unpause(self, service: str) -> None:
        if self._container(service, "unpause") != "paused":
            raise ReplicaError(f"Container fake-{service} is not paused")
        self.states[service] = "running"

    def start_service(self, service: str) -> None:
        self._container(service, "start")
        self.states[service] = "running"

    def restart(self, service: str, timeout_s: int = 10) -> None:
        self._container(service, "restart")
        self.states[service] = "running"

    def wait_ready(self, service_name: str, timeout_s: float = 120.0) -> float:
        state = self._container(service_name, "wait_ready")
        image = self.applied[service_name].image
        if state != "running" or image in self.never_ready:
            raise ServiceNotReady(f"{service_name} did not answer", service_name, f"{state}, {image}")
        return 0.01

    def restart_count(self, service: str) -> int:
        return self.restarts[service]

    def oom_killed(self, service: str) -> bool:
        return False

    def memory(self, service: str) -> tuple[int, int] | None:
        readings = self.memory_readings.get(service)
        if not readings:
            return None
        return readings.pop(0) if len(readings) > 1 else readings[0]

    def cpu_ns(self, service: str) -> int | None:
        return None

    def logs(self, service: str, tail: int) -> bytes:
        return self.log_lines.get(service, b"")

    # --- commands -----------------------------------------------------------------

    def on_exec(self, pattern: str, reply: Callable[[str, str], tuple[int, str]]) -> None:
        """Answer commands matching `pattern` (a regex over the joined command) with `reply(service, command)`."""
        self.rules.append((re.compile(pattern), reply))

    def exec(self, service: str, command: list[str], env: Mapping[str, str] | None = None) -> tuple[int, str]:
        self.exec_env = dict(env or {})
        if self._container(service, "exec", " ".join(command)) != "running":
            raise ReplicaError(f"Container fake-{service} is not running")
        joined = " ".join(command)
        for pattern, reply in reversed(self.rules):
            if pattern.search(joined):
                return reply(service, joined)
        return 0, ""

    def spawn(self, service: str, command: list[str]) -> None:
        self.exec(service, command)

    def run_once(self, service: str, command: list[str], timeout_s: float = 900.0) -> tuple[int, str]:
        self.actions.append(f"run_once {service} {' '.join(command)}")
        joined = " ".join(command)
        for pattern, reply in reversed(self.rules):
            if pattern.search(joined):
                return reply(service, joined)
        return 0, ""

    # --- lifecycle ------------------------------------------------------------------

    def remove_service(self, service: str) -> list[str]:
        self._container(service, "remove")
        self.states[service] = "gone"
        gone = [f"fake-{v}" for v in self.target.service(service).volumes]
        self.removed_volumes += gone
        return gone

    def recreate(self, service: str, ready_timeout_s: float = 120.0, *, start: bool = True) -> float:
        self.actions.append(f"recreate {service}")
        self.states[service] = "running" if start else "created"
        self.applied[service] = self.desired_states()[service]
        return self.wait_ready(service, ready_timeout_s) if start else 0.0

    def serve_database(self, service: str) -> None:
        self.actions.append(f"serve_database {service}")
        self.database_service = service

    # --- desired state ----------------------------------------------------------------

    def desired_states(self) -> dict[str, ServiceState]:
        return self.desired.read()

    def require_desired(self) -> DesiredState:
        return self.desired

    def commit(self, change: Callable[[dict[str, Any]], None], message: str) -> Commit:
        self.actions.append(f"commit {message}")
        return self.desired.commit(change, message)

    def revert(self, commit: Commit) -> Commit:
        self.actions.append(f"revert {commit.short}")
        return self.desired.revert(commit.sha)

    def reconcile(
        self, ready_timeout_s: float = 120.0, *, wait: bool = True, not_ready_is_fault: bool = False
    ) -> list[str]:
        states = self.desired_states()
        changed = [s.name for s in self.target.services if states[s.name] != self.applied.get(s.name)]
        for name in changed:
            self.actions.append(f"reconcile {name}")
            self.applied[name] = states[name]
            self.states[name] = "running"
            image = states[name].image
            if not wait:
                continue
            if image in self.never_ready:
                self.replacements.append(Replacement(name, "recreate", image, 0.0, None, "exited (code 2)"))
                if not not_ready_is_fault:
                    raise ServiceNotReady(f"{name} on {image} did not start", name, "exited (code 2)")
                continue
            self.replacements.append(Replacement(name, "recreate", image, 0.0, 0.01, "ready"))
        return changed

    # --- network --------------------------------------------------------------------

    def connected(self, service: str) -> bool:
        self._container(service, "inspect")
        return service in self.on_network

    def disconnect(self, service: str) -> None:
        self._container(service, "disconnect")
        self.on_network.discard(service)

    def connect(self, service: str) -> None:
        self._container(service, "connect")
        self.on_network.add(service)

    def close(self) -> None:
        for app in (self.app, *self.extra_apps):
            app.stop()


@dataclass(frozen=True)
class Ran:
    step: str
    ok: bool
    detail: str


def run_steps(
    procedure: AnyProcedure, replica: FakeReplica, given: dict[str, Any] | None = None, **kw: Any
) -> list[Ran]:
    """A procedure's steps in order, each as the runner runs it, up to the first that fails."""
    ctx = procedure.context(replica, given or {}, log=lambda _line: None, **kw)
    ran: list[Ran] = []
    for step in procedure.steps:
        ok, detail = attempt(step, ctx)
        ran.append(Ran(step.name, ok, detail))
        if not ok:
            break
    return ran


def did(replica: FakeReplica, prefix: str) -> Sequence[str]:
    """The operations that started with `prefix`, in order."""
    return [a for a in replica.actions if a.startswith(prefix)]


def fake_replica(catalog_drill: pathlib.Path, folder: pathlib.Path) -> FakeReplica:
    """A fake of the target a catalog drill names, its desired state a fresh repository in `folder`."""
    from drillbook.drills import spec

    target = spec.load(catalog_drill).target
    desired = DesiredState.create(folder / "desired-state", target, catalog_drill.stem)
    return FakeReplica(target, desired, FakeApp())


def fake_cluster(catalog_drill: pathlib.Path, folder: pathlib.Path, nodes: int = 3) -> FakeCluster:
    """A fake cluster of `nodes` running the target a catalog swarm drill names."""
    target = spec.load(catalog_drill).target
    return FakeCluster(target, DesiredState.create(folder / "desired-state", target, catalog_drill.stem), nodes)


def unit_drill(drill_file: pathlib.Path, out_dir: pathlib.Path, cap_s: float) -> Drill:
    """A drill's state for a phase's unit test: the file's spec, the database-outage fault, no replica."""
    loaded = spec.load(drill_file)
    return Drill(
        spec=loaded,
        out_dir=out_dir,
        drill_id="unit",
        scenario=SCENARIOS.get("db_outage"),
        procedure=None,
        masker=Masker.for_target(loaded.target),
        cap_s=cap_s,
    )


@dataclass(frozen=True)
class FakeNode:
    hostname: str
    state: str = "ready"
    leader: bool = False
    manager: bool = True


class FakeCluster(FakeReplica):
    """The fake replica on a cluster of nodes: the swarm's view is data a test sets, and each look
    (`tasks`, `down_since`) first plays the next of `later`, so a test scripts how the swarm moves."""

    def __init__(self, target: Target, desired: DesiredState, nodes: int = 3) -> None:
        super().__init__(target, desired, FakeApp())
        self.swarm_nodes = [FakeNode(f"node{i}", leader=i == 1) for i in range(1, nodes + 1)]
        self.swarm_tasks: list[Task] = []
        self.down: dict[str, float] = {}
        self.later: list[Callable[[FakeCluster], None]] = []
        self.cut_off: set[str] = set()

    def place(self, *where: tuple[str, str]) -> None:
        """Tasks running: (service, node), slots counted per service."""
        slots: dict[str, int] = {}
        for service, node in where:
            slots[service] = slots.get(service, 0) + 1
            task = Task(f"t{len(self.swarm_tasks)}", service, slots[service], node, "running", "running")
            self.swarm_tasks.append(task)

    def _play(self) -> None:
        if self.later:
            self.later.pop(0)(self)

    def node_names(self) -> list[str]:
        return [n.hostname for n in self.swarm_nodes]

    def nodes(self) -> list[FakeNode]:
        return list(self.swarm_nodes)

    def tasks(self, service: str | None = None) -> list[Task]:
        self._play()
        return [t for t in self.swarm_tasks if service is None or t.service == service]

    def cut(self, node: str) -> None:
        self.actions.append(f"cut {node}")
        self.cut_off.add(node)

    def rejoin(self, node: str) -> None:
        self.actions.append(f"rejoin {node}")
        self.cut_off.discard(node)

    def kill_daemon(self, node: str) -> None:
        self.actions.append(f"kill {node}'s daemon")
        self.cut_off.add(node)

    def restart_daemon(self, node: str) -> None:
        self.actions.append(f"restart {node}'s daemon")
        self.cut_off.discard(node)

    def elect(self, node: str) -> None:
        """The managers left elect `node`."""
        self.swarm_nodes = [replace(n, leader=n.hostname == node) for n in self.swarm_nodes]

    def leader(self) -> str | None:
        return next((n.hostname for n in self.swarm_nodes if n.leader), None)

    def replicas_of(self, service: str) -> int:
        return 2 if service == self.target.app else 1

    def down_since(self, node: str) -> float | None:
        self._play()
        return self.down.get(node)

    def rollback(self, service: str, timeout_s: float = 120.0) -> str:
        self.actions.append(f"rollback {service}")
        return "rollback_completed in 0.10 s: rollback completed"

    def kill_task(self, task: Task) -> None:
        self.actions.append(f"kill {task.service}.{task.slot} on {task.node}")

    def step_down(self, node: str) -> str:
        """The next node leads (the swarm's choice, in the fake: the next by name)."""
        names = self.node_names()
        after = names[(names.index(node) + 1) % len(names)]
        self.swarm_nodes = [replace(n, leader=n.hostname == after) for n in self.swarm_nodes]
        self.actions.append(f"step down {node}")
        return after

    def take_update(self, timeout_s: float) -> str:
        leader = self.leader()
        if leader is None or leader in self.cut_off:
            raise ClusterError(f"Within {timeout_s:g} s no leader committed a write to the swarm.")
        self.actions.append(f"update taken by {leader}")
        return leader

    def crash(self, service: str, slot: int, at: float, restarted: bool = True) -> None:
        """The running task in the slot fails (at `at`, epoch seconds); a new one starts, running
        at once when `restarted`, else `starting` until `start_again`."""
        kept = []
        for task in self.swarm_tasks:
            if task.service == service and task.slot == slot and task.state == "running":
                failed = replace(task, state="failed", desired="shutdown", error="task: non-zero exit (137)", at=at)
                kept += [failed, replace(task, id=task.id + "'", state="running" if restarted else "starting")]
            else:
                kept.append(task)
        self.swarm_tasks = kept

    def start_again(self, service: str, slot: int) -> None:
        self.swarm_tasks = [
            replace(t, state="running") if (t.service, t.slot, t.state) == (service, slot, "starting") else t
            for t in self.swarm_tasks
        ]

    def mark_down(self, node: str) -> None:
        self.swarm_nodes = [replace(n, state="down") if n.hostname == node else n for n in self.swarm_nodes]
        self.down[node] = time.monotonic()

    def move(self, service: str, slot: int, to: str) -> None:
        """The task ends where it was and runs again on `to`."""
        kept = []
        for task in self.swarm_tasks:
            if task.service == service and task.slot == slot and task.state == "running":
                kept.append(replace(task, desired="shutdown"))
                kept.append(replace(task, id=task.id + "'", node=to))
            else:
                kept.append(task)
        self.swarm_tasks = kept
