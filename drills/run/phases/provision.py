"""Provision: the drill's own desired-state repository, the replica, the load and the watchers.

Everything started here is pushed onto the teardown first, so that a failure
halfway through provisioning still removes what was made.
"""

from __future__ import annotations

import shutil

from docker import DockerClient

from drillbook.contract import EventKind
from drillbook.drills.observe.diagnostics import Background, Gatherer
from drillbook.drills.observe.load.process import LoadProcess
from drillbook.drills.observe.memory import MemorySampler
from drillbook.drills.observe.probes import Probe, ProbeRunner
from drillbook.drills.run.guards import require_loopback
from drillbook.drills.run.masking import Secret
from drillbook.drills.run.phases import monitoring
from drillbook.drills.run.state import Drill, DrillState
from drillbook.drills.run.teardown import Teardown
from drillbook.drills.run.watch import DATABASE_PROBE, HEALTH_PROBE
from drillbook.replicas.cluster.stack import Stack, SwarmSettings
from drillbook.replicas.desired_state import DesiredState
from drillbook.replicas.protocols import Addresses, Provisioned
from drillbook.replicas.replica import Replica
from drillbook.replicas.secrets import SecretStore
from drillbook.replicas.target import Stream
from drillbook.replicas.toolbox.terminal import open_terminal

SECRETS = "secrets"
"""The drill's secrets file's folder, beside the desired-state repository, never in it."""


def desired_state(drill: Drill) -> DesiredState:
    """A fresh repository from the target, or a clone of the team's (checked first: no
    uncommitted changes, no detached HEAD)."""
    path = drill.out_dir / "desired-state"
    if path.exists():
        shutil.rmtree(path)
    spec = drill.spec
    source = spec.target.desired_state_repo
    if source is None:
        store = SecretStore(
            drill.out_dir / SECRETS, lambda name, value: drill.masker.add(Secret(f"secret {name}", value))
        )
        store.remove()  # an earlier drill's in this folder
        return DesiredState.create(path, spec.target, spec.name, store)
    local = (spec.path.parent / source) if "://" not in source else None
    if local is not None and local.exists():
        DesiredState(local, spec.target)  # refuses a dirty tree or a detached HEAD
        source = str(local.resolve())
    desired = DesiredState.clone(source, path, spec.target)
    drill.desired_source = (source, desired.head().sha)
    return desired


def provision(drill: Drill, client: DockerClient, teardown: Teardown, allow_remote: bool) -> None:
    spec, m = drill.spec, drill.spec.model
    assert drill.desired is not None
    drill.enter(DrillState.PROVISIONING)

    def guard(address: str) -> None:
        require_loopback(address, in_spec=m.allow_remote, confirmed=allow_remote)

    if drill.desired.secrets is not None:
        teardown.push("remove the drill's secrets", drill.desired.secrets.remove, essential=True)
    replica = _replica(drill, client)
    drill.replica = replica
    head = drill.desired.head()
    drill.timeline.record(EventKind.GIT, f"desired state at {head.short} ({head.message}) in {drill.desired.path}")
    teardown.push("remove the replica", replica.teardown, essential=True)
    load = drill.load = LoadProcess(
        locustfile=spec.target.locustfile,
        host=replica.url(),
        users=m.load.users,
        rate=m.load.rate,
        timeout_s=m.load.timeout_s,
        write_flows=spec.target.write_flows,
        out=drill.out_dir / "load",
        max_seconds=drill.cap_s,
        stream=stream_of(replica),
    )
    guard(replica.url())
    teardown.push("stop the load", load.stop, essential=True)
    load.spawn()
    replica.start()
    _toolbox(drill, replica)
    load.start()
    drill.timeline.record(EventKind.LOAD, f"{m.load.users} users at {m.load.rate:g} req/s on {replica.url()}")
    probes = probe_list(drill, replica)
    for probe in probes:
        guard(probe.address())
    drill.probes = ProbeRunner(probes, m.probes.interval_s, m.probes.timeout_s, drill.clock.now)
    teardown.push("stop the probes", drill.probes.stop, essential=True)
    drill.probes.start()
    drill.memory = MemorySampler(replica, m.probes.memory_interval_s, drill.clock.now, drill.timeline.record)
    teardown.push("stop memory sampling", drill.memory.stop, essential=True)
    drill.memory.start()
    monitoring.start(drill, replica, teardown)
    gatherer = Gatherer(replica, m.alerts.time_scale, drill.clock.now)
    drill.diagnostics = Background(gatherer, drill.timeline.record)


def _replica(drill: Drill, client: DockerClient) -> Provisioned:
    """The replica on the drill's engine: containers on this one, or a stack on a local swarm."""
    spec, engine = drill.spec, drill.spec.model.engine
    assert drill.desired is not None
    if engine.kind == "swarm":
        settings = SwarmSettings(
            engine.nodes, engine.managers, engine.replicas, engine.heartbeat_s, engine.first_leader
        )
        # The nodes get the fault's images too (a release to roll out): they pull from no registry.
        extra = drill.scenario.images(spec.target, **dict(spec.model.scenario.with_))
        record = drill.timeline.record
        return Stack(
            client, spec.target, drill.drill_id, record, drill.desired, settings, extra, lent_cluster=drill.lent_cluster
        )
    return Replica(client, spec.target, drill.drill_id, drill.timeline.record, drill.desired)


def stream_of(replica: Addresses) -> tuple[str, Stream] | None:
    """The target's WebSocket stream on its loopback port, for the load's clients."""
    stream = replica.target.stream
    if stream is None:
        return None
    return "ws" + replica.url(stream.service).removeprefix("http") + stream.path, stream


def _toolbox(drill: Drill, replica: Provisioned) -> None:
    """The toolbox, for a recovery that is a runbook section (with the role it asks for); the
    drill file's schema refuses one on the swarm engine."""
    books = drill.spec.model.runbooks()
    if not books or not isinstance(replica, Replica):
        return
    assert drill.desired is not None
    role = next(((b.role.user, b.role.password) for b in books if b.role is not None), None)
    open_terminal(replica, drill.desired, drill.out_dir, role)


def probe_list(drill: Drill, replica: Addresses) -> tuple[Probe, ...]:
    base, target = replica.url(), drill.spec.target
    probes = [Probe(HEALTH_PROBE, "http", base + target.health)]
    probes += [Probe(f.name, "http", base + f.path, f.method, f.body) for f in target.key_flows]
    timeout_s = drill.spec.model.probes.timeout_s
    probes.append(Probe(DATABASE_PROBE, "postgres", lambda: replica.db_conninfo(timeout_s)))
    return tuple(probes)
