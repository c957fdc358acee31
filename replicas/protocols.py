"""What scenarios and procedures may ask of a replica, as narrow protocols.

A plug-in depends on the protocols of what it uses (its services and their
containers, commands in them, the addresses it reaches, the desired state,
the network), never on `Replica`, and no engine type crosses them: the same
plug-in runs against the Docker replica, a fake in the unit tests, or another
engine. Every call raises drillbook's errors (`replicas/boundary.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from drillbook.errors import ReplicaError
from drillbook.replicas.target import Target

if TYPE_CHECKING:  # GitPython runs `git version` when imported: only what commits pays for it
    from drillbook.replicas.desired_state import Commit, DesiredState, ServiceState


@dataclass(frozen=True)
class Replacement:
    """One service replaced by a reconcile, in `time.monotonic()` readings.

    A recreate's gap (old container stopped to new one answering) is the deploy
    method's outage, whatever the release; a rolling replacement has none.
    """

    service: str
    method: Literal["recreate", "rolling"]
    image: str
    stopped_at: float | None
    """When the old container stopped serving; None: it served until the new one was ready."""
    ready_at: float | None
    """When the new container answered; None: it never did."""
    outcome: str


@dataclass(frozen=True)
class Ran:
    """A command typed into the toolbox's terminal."""

    status: int | None
    """Its exit status; None when it did not end by itself and had to be stopped."""
    output: str
    """What the terminal showed (both streams, escape sequences removed)."""
    seconds: float


class Targeted(Protocol):
    @property
    def target(self) -> Target: ...


class Addresses(Targeted, Protocol):
    """Where the drill reaches a service: loopback ports only."""

    @property
    def drill_id(self) -> str: ...

    @property
    def database_service(self) -> str:
        """The service answering for the database (another one after a failover)."""
        ...

    @property
    def ports(self) -> dict[str, int]: ...

    def url(self, service: str | None = None) -> str: ...

    def db_conninfo(self, timeout_s: float = 2.0) -> str: ...

    def container_name(self, service: str) -> str:
        """What a person types to reach the service's container (a rehearsal's hints)."""
        ...


class Containers(Targeted, Protocol):
    """A service's container: its state and what an operator does to it."""

    def status(self, service: str) -> str:
        """`running`, `paused`, `exited`, ..."""
        ...

    def kill(self, service: str) -> None: ...

    def stop(self, service: str, timeout_s: int = 10) -> None: ...

    def pause(self, service: str) -> None: ...

    def unpause(self, service: str) -> None: ...

    def start_service(self, service: str) -> None: ...

    def restart(self, service: str, timeout_s: int = 10) -> None: ...

    def wait_ready(self, service_name: str, timeout_s: float = 120.0) -> float:
        """Seconds until the service answered a real request."""
        ...

    def restart_count(self, service: str) -> int: ...

    def oom_killed(self, service: str) -> bool: ...

    def memory(self, service: str) -> tuple[int, int] | None:
        """Working set and limit in bytes; None while not running."""
        ...

    def cpu_ns(self, service: str) -> int | None: ...

    def logs(self, service: str, tail: int) -> bytes:
        """The last `tail` lines of the service's log (both streams)."""
        ...


class Commands(Targeted, Protocol):
    """Commands in a service's container, or in a one-off container of its image."""

    def exec(self, service: str, command: list[str], env: Mapping[str, str] | None = None) -> tuple[int, str]:
        """Exit code and output (both streams); `env` added to the container's environment."""
        ...

    def spawn(self, service: str, command: list[str]) -> None:
        """Start a command in the container and do not wait for it."""
        ...

    def run_once(self, service: str, command: list[str], timeout_s: float = 900.0) -> tuple[int, str]: ...


class Lifecycle(Targeted, Protocol):
    """A service lost and made again: a lost host, a failover."""

    def remove_service(self, service: str) -> list[str]: ...

    def recreate(self, service: str, ready_timeout_s: float = 120.0, *, start: bool = True) -> float: ...

    def serve_database(self, service: str) -> None: ...


class Desired(Targeted, Protocol):
    """The desired-state repository and reconciling the containers to it."""

    @property
    def replacements(self) -> Sequence[Replacement]: ...

    def desired_states(self) -> dict[str, ServiceState]: ...

    def require_desired(self) -> DesiredState: ...

    def commit(self, change: Callable[[dict[str, Any]], None], message: str) -> Commit: ...

    def revert(self, commit: Commit) -> Commit: ...

    def reconcile(
        self, ready_timeout_s: float = 120.0, *, wait: bool = True, not_ready_is_fault: bool = False
    ) -> list[str]: ...


class Network(Targeted, Protocol):
    """The replica's own network: a service on it or cut off."""

    @property
    def network_name(self) -> str: ...

    def connected(self, service: str) -> bool: ...

    def disconnect(self, service: str) -> None: ...

    def connect(self, service: str) -> None: ...


class Terminal(Protocol):
    """A shell in the toolbox, where a runbook's commands run, and the git remote it pushes to."""

    def type(self, text: str, timeout_s: float) -> Ran:
        """Type the command into a fresh shell and wait for it (stopped after `timeout_s`)."""
        ...

    def pushed(self) -> str | None:
        """The commit a push put on origin's main, when the desired state does not have it yet."""
        ...

    def take_push(self) -> str:
        """The desired state moved to what was pushed; its short SHA."""
        ...

    def publish(self) -> None:
        """The desired state's HEAD onto origin and into the toolbox's clone (the engineer's checkout)."""
        ...


class Terminals(Protocol):
    def terminal(self) -> Terminal:
        """The toolbox's terminal; ReplicaError when the drill has no toolbox."""
        ...


class ReplicaAPI(Addresses, Containers, Commands, Lifecycle, Desired, Network, Terminals, Protocol):
    """All of it: what a procedure's steps get (each step uses a part)."""


class Provisioned(ReplicaAPI, Protocol):
    """A replica the drill starts and tears down: on the single engine, or a swarm stack."""

    def start(self, ready_timeout_s: float = 120.0) -> None: ...

    def teardown(self) -> None: ...


class Observed(Addresses, Containers, Protocol):
    """What diagnostics and memory sampling read: addresses and containers."""


@dataclass(frozen=True)
class Task:
    """One of a swarm service's tasks, as the swarm reports it."""

    id: str
    service: str
    slot: int
    node: str
    """The hostname of the node it was given to (`node2`)."""
    state: str
    """`running`, `starting`, `shutdown`, `failed`, …"""
    desired: str
    """What the swarm wants of it: `running`, or `shutdown` once replaced."""
    container_id: str | None = None
    error: str = ""
    at: float | None = None
    """When the task last changed state, in the swarm's own clock (epoch seconds): when a
    crashed task was seen to fail."""


class NodeView(Protocol):
    """A node as the swarm sees it."""

    @property
    def hostname(self) -> str: ...

    @property
    def state(self) -> str:
        """`ready`, `down`, `unknown`."""
        ...

    @property
    def leader(self) -> bool: ...

    @property
    def manager(self) -> bool: ...


@runtime_checkable
class Cluster(Targeted, Protocol):
    """A replica on a cluster of nodes (the swarm engine): its nodes, where its tasks run, a node
    cut off and back. Plug-ins made for a cluster say `engines=("swarm",)`."""

    @property
    def database_service(self) -> str: ...

    def node_names(self) -> list[str]: ...

    def nodes(self) -> Sequence[NodeView]: ...

    def tasks(self, service: str | None = None) -> list[Task]: ...

    def cut(self, node: str) -> None: ...

    def rejoin(self, node: str) -> None: ...

    def kill_daemon(self, node: str) -> None:
        """SIGKILL to the node's Docker daemon alone: its containers run on, the swarm hears nothing."""
        ...

    def restart_daemon(self, node: str) -> None:
        """The node's daemon started again (unless it runs): it rejoins the swarm."""
        ...

    def leader(self) -> str | None: ...

    def kill_task(self, task: Task) -> None:
        """SIGKILL to the task's container, on its node's engine."""
        ...

    def step_down(self, node: str) -> str:
        """Leadership moved off `node`, the leader (demoted, then promoted again): who leads now."""
        ...

    def take_update(self, timeout_s: float) -> str:
        """A write only a leader commits, retried until one does: the leader that did."""
        ...

    def replicas_of(self, service: str) -> int: ...

    def down_since(self, node: str) -> float | None:
        """`time.monotonic()` when the swarm was first seen to mark the node down; None: not down."""
        ...

    def rollback(self, service: str, timeout_s: float = 120.0) -> str:
        """`docker service rollback`, waited for until the previous spec runs; how it went."""
        ...


def on_cluster(replica: object, plugin: str) -> Cluster:
    """The replica as a cluster, for a plug-in made for one (refused earlier on another engine)."""
    if not isinstance(replica, Cluster):
        raise ReplicaError(f"{plugin} needs a replica on a cluster (`engine: {{kind: swarm}}`).")
    return replica


class Deploys(Desired, Addresses, Protocol):
    """A deploy: commit a change of desired state, reconcile, watch the service answer."""


class DeploysAndWatches(Deploys, Containers, Protocol):
    """A deploy whose release is watched in its container (its restarts)."""


class LosesHosts(Containers, Lifecycle, Protocol):
    """A service's host lost: its container killed, then removed with its data."""


class DatabaseHost(Addresses, Containers, Protocol):
    """The database's container, and which service answers for it."""
