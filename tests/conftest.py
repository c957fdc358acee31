"""Fixtures: a real Docker engine for the tests marked `docker`, an in-memory replica for the rest."""

from __future__ import annotations

import fcntl
import json
import pathlib
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import docker.errors
import jsonschema
import pytest
import yaml
from docker import DockerClient

from drillbook import contract
from drillbook.drills import spec
from drillbook.drills.result import DrillResult
from drillbook.drills.run import signals
from drillbook.replicas import cleanup, engine, images, labels, recipes
from drillbook.replicas.cluster import local
from drillbook.replicas.cluster.state import ClusterState
from drillbook.replicas.replica import Replica
from drillbook.replicas.target import Target
from tests.fakes import FakeCluster, FakeReplica, fake_cluster, fake_replica

pytest_plugins = ["pytester"]  # the pytest plugin's tests run pytest sessions of their own

ROOT = pathlib.Path(__file__).resolve().parents[1]
CATALOG = ROOT / "drills" / "catalog"
GUIDE = ROOT / "docs/returnit-incident-response.md"
"""The team's Incident Response Guide, as the team wrote it (a copy of ../shared/seed/)."""
SAMPLE_GUIDE = ROOT / "docs/incident-guide.md"


@pytest.fixture(autouse=True)
def private_history(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drills run by tests record their history in the test's folder, not the checkout."""
    monkeypatch.setenv("DRILLBOOK_HISTORY", str(tmp_path / "history.db"))


@pytest.fixture(autouse=True)
def stop_on_a_real_interrupt(request: pytest.FixtureRequest) -> Iterator[None]:
    """Ctrl-C during a test's drill interrupts the drill (its teardown runs) and then the session,
    as it would without drillbook: the drill handles the signal, so pytest saw none and went on."""
    before = len(signals.received())
    yield
    if request.node.get_closest_marker("docker") is not None and len(signals.received()) > before:
        raise KeyboardInterrupt(f"{signals.received()[-1]} during {request.node.nodeid}'s drill")


@pytest.fixture(scope="session", autouse=True)
def results_follow_the_contract(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every result document a drill of this session wrote is valid against `drillbook schema result`."""
    yield
    validator = jsonschema.Draft202012Validator(contract.json_schema())
    refused = []
    for path in tmp_path_factory.getbasetemp().rglob("result.json"):
        if not (path.parent / contract.JOURNAL_FILE).exists():
            continue  # not a drill's output: a test's deliberately broken document
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        if errors:
            refused.append(f"{path}: {errors[0].json_path}: {errors[0].message[:200]}")
    assert not refused, "\n".join(refused)


@pytest.fixture(scope="session")
def docker_client() -> DockerClient:
    return engine.connect()


@pytest.fixture(scope="session")
def built_images(docker_client: DockerClient) -> None:
    """Images are built once per run (and only when their inputs changed)."""
    images.ensure(docker_client, list(recipes.RECIPES))


@pytest.fixture(scope="session")
def sample_target() -> Target:
    return spec.load(CATALOG / "db-outage.yaml").target


SPAWNED: set[int] = set()
"""The pids of the drillbook processes this test process started (`spawned`): what they made is its
to account for once they are gone."""


def spawned(pid: int) -> int:
    SPAWNED.add(pid)
    return pid


def drillbook_objects(client: DockerClient) -> list[str | None]:
    """drillbook's objects that this test process may be blamed for: those its own drills made
    and those of the drill processes it started that are gone (a drill killed by SIGKILL leaves
    them for `drillbook cleanup`). A drill of another process (the other lane of `make test`,
    which kills drills too, a second test run on the same engine) is that one's to account for."""
    wanted = labels.filter_for()
    mine = labels.owner()

    def ours(object_labels: dict[str, str] | None) -> bool:
        owner = (object_labels or {}).get(labels.OWNER)
        if owner == mine:
            return True
        if owner is None or labels.owner_alive(owner):
            return False
        pid = owner.split(":")[-2]
        return pid.isdigit() and int(pid) in SPAWNED

    return (
        [c.name for c in cleanup.listed_containers(client, wanted) if ours(c.labels)]
        + [n.name for n in client.networks.list(filters=wanted) if ours(n.attrs.get("Labels"))]
        + [v.name for v in client.volumes.list(filters=wanted) if ours(v.attrs.get("Labels"))]
    )


@dataclass(frozen=True)
class Decoys:
    """Someone else's container, network and volume: drillbook must never touch them."""

    container: str
    network: str
    volume: str

    def all_exist(self, client: DockerClient) -> bool:
        try:
            client.containers.get(self.container)
            client.networks.get(self.network)
            client.volumes.get(self.volume)
        except docker.errors.NotFound:
            return False
        return True


@pytest.fixture(scope="session")
def decoys(docker_client: DockerClient, built_images: None) -> Iterator[Decoys]:
    tag = secrets.token_hex(3)
    foreign = {"com.example.owner": "another-team"}
    volume = docker_client.volumes.create(f"decoy-{tag}", labels=foreign)
    network = docker_client.networks.create(f"decoy-{tag}", labels=foreign)
    container = docker_client.containers.create(
        "drillbook/postgres:15", name=f"decoy-{tag}", labels=foreign, volumes={volume.name: {"bind": "/data"}}
    )
    made = Decoys(str(container.name), str(network.name), str(volume.name))
    yield made
    survived = made.all_exist(docker_client)
    container.remove(force=True, v=True)
    network.remove()
    volume.remove(force=True)
    assert survived, "a decoy without drillbook's labels was removed"


@pytest.fixture
def no_leftovers(docker_client: DockerClient, decoys: Decoys) -> Iterator[None]:
    """Fails the test if it leaves any drillbook object, or touched a decoy."""
    yield
    assert drillbook_objects(docker_client) == []
    assert decoys.all_exist(docker_client), "a decoy without drillbook's labels was removed"


@dataclass(frozen=True)
class CatalogRun:
    code: int
    out: pathlib.Path

    @property
    def result(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.out / "result.json").read_text())
        return loaded


@pytest.fixture(scope="session")
def catalog_db_outage(built_images: None, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> CatalogRun:
    """The built-in database-outage drill, run once per test run, exactly as `make drill` runs it.
    pytest-xdist's workers share one run (its documentation's recipe): the first to need it runs
    it under a lock in the run's shared folder, the others wait and read its exit code.
    `--dist loadgroup` would keep its tests in one worker, but with this pytest it groups
    nothing (pytest-xdist#1386: the node ids it renames keep their old names)."""
    from drillbook.drills.cli import main

    shared = tmp_path_factory.getbasetemp().parent if worker_id != "master" else tmp_path_factory.mktemp("session")
    folder = shared / "catalog"
    out = folder / "db-outage"
    with (shared / "catalog.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        code_file = folder / "exit-code"
        if not code_file.exists():
            folder.mkdir(exist_ok=True)
            argv = ["run", str(CATALOG / "db-outage.yaml"), "--out", str(out), "--history", str(folder / "history.db")]
            code_file.write_text(str(main(argv)))
        return CatalogRun(int(code_file.read_text()), out)


WINDOW_S = 2.0
"""A test drill's steady state and verification window, where the catalog's are the 5 s default:
20 probes of each kind and 40 requests each, enough to tell a service that answers from one that
does not; 6 s less for each of some 50 real drills (docs/design.md says how much of it the wall
clock kept). A drill whose steady state is longer for a reason (a dump taken before the fault)
keeps it."""


def catalog_drill(drill: str, folder: pathlib.Path, name: str | None = None, **changes: Any) -> pathlib.Path:
    """The catalog drill `drill` as the test drills run it, written into `folder` (named `name`,
    sections changed as `spec.write_variant` does): its 5 s windows at `WINDOW_S`."""
    base = CATALOG / f"{drill}.yaml"
    own = yaml.safe_load(base.read_text()).get("phases", {})
    phases = {key: WINDOW_S for key in ("steady_state_s", "verify_window_s") if own.get(key, 5.0) == 5.0}
    changes["phases"] = {**phases, **changes.get("phases", {})}
    return spec.write_variant(base, folder, name or drill, **changes)


def drill_file(tmp_path: pathlib.Path, name: str = "short", **changes: Any) -> pathlib.Path:
    """The catalog's database-outage drill with some sections replaced (and its windows a test
    drill's)."""
    return catalog_drill("db-outage", tmp_path, name, **changes)


def spawn_drill(path: pathlib.Path, out: pathlib.Path) -> subprocess.Popen[str]:
    """`drillbook run` as its own process, so real signals can be sent to it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "drillbook", "run", str(path), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    spawned(proc.pid)
    return proc


def wait_for_line(
    path: pathlib.Path, needle: str, timeout_s: float = 120.0, writer: subprocess.Popen[str] | None = None
) -> bool:
    """Whether `needle` appears in `path` in time; with `writer`, the process that writes it, not
    waiting on once it has ended (a drill that stopped at its steady state reaches no later phase)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ended = writer is not None and writer.poll() is not None
        if path.exists() and needle in path.read_text():
            return True
        if ended:
            return False
        time.sleep(0.05)
    return False


def ended_with(proc: subprocess.Popen[str]) -> str:
    """What a spawned drill printed, for an assertion's message: its last lines once it has
    ended, or that it still runs."""
    if proc.poll() is None:
        return "the drill still runs"
    output = proc.stdout.read() if proc.stdout else ""
    return f"the drill ended ({proc.returncode}): ...{output[-3000:]}"


@pytest.fixture
def replica(
    docker_client: DockerClient, built_images: None, sample_target: Target, no_leftovers: None
) -> Iterator[Replica]:
    with Replica(docker_client, sample_target, f"test-{secrets.token_hex(4)}") as running:
        yield running


@pytest.fixture
def fake(tmp_path: pathlib.Path) -> Iterator[FakeReplica]:
    """The sample target as an in-memory replica (tests/fakes.py): no engine, real HTTP, real git."""
    replica = fake_replica(CATALOG / "db-outage.yaml", tmp_path)
    yield replica
    replica.close()


@pytest.fixture
def fake_of(tmp_path: pathlib.Path) -> Iterator[Callable[[str], FakeReplica]]:
    """A fake of the target another catalog drill names (a standby, backups, a fault proxy)."""
    made: list[FakeReplica] = []

    def make(drill: str) -> FakeReplica:
        made.append(fake_replica(CATALOG / f"{drill}.yaml", tmp_path / f"fake-{len(made)}"))
        return made[-1]

    yield make
    for replica in made:
        replica.close()


def cluster_root() -> pathlib.Path:
    """A new short folder for a test's local cluster (its daemons' sockets must fit in a Unix
    socket's 107 characters), in memory when there is room: each node's daemon unpacks every image
    it is given there (about 1.5 GB for a three-node cluster of the sample), on the disk the real
    drills of the other lane provision their replicas on, and removing it took 5 s, not 1."""
    shm = pathlib.Path("/dev/shm")
    roomy = shm.is_dir() and shutil.disk_usage(shm).free > 4 * 2**30
    return pathlib.Path(tempfile.mkdtemp(prefix="dbk", dir=shm if roomy else "/tmp"))


@pytest.fixture(scope="session")
def lent_swarm(built_images: None) -> Iterator[ClusterState]:
    """One local three-node cluster, a manager and two workers, for the session's swarm drills that
    leave its leader alone: formed once and filled with images by the first of them, cleared by
    each (`lent.py`)."""
    root = cluster_root()
    try:
        with local.cluster(root, "tests-lent-swarm", nodes=3, managers=1) as formed:
            yield formed
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fake_cluster_of(tmp_path: pathlib.Path) -> Iterator[Callable[..., FakeCluster]]:
    """A fake cluster of the target a catalog swarm drill names (`nodes` of them, 3 unless told)."""
    made: list[FakeCluster] = []

    def make(drill: str, nodes: int = 3) -> FakeCluster:
        made.append(fake_cluster(CATALOG / f"{drill}.yaml", tmp_path / f"cluster-{len(made)}", nodes))
        return made[-1]

    yield make
    for cluster in made:
        cluster.close()


def why(result: DrillResult) -> str:
    """A real drill's failure as an assertion message: its error, else the checks that failed."""
    failed = [f"{c.name}: {c.detail}" for c in result.checks if not c.ok]
    return result.error or "; ".join(failed) or "no check failed"


def inline_sample_target(
    tmp_path: pathlib.Path, change: Callable[[dict[str, Any]], object] = lambda _c: None
) -> dict[str, Any]:
    """The sample's target as a drill file's inline `target:`, its Compose file a copy changed by `change`
    (which gets the Compose document: `compose["services"]["app"]["environment"][...] = ...`)."""
    sample = ROOT / "replicas" / "sample"
    target: dict[str, Any] = yaml.safe_load((sample / "target.yaml").read_text())
    compose = yaml.safe_load((sample / "compose.yaml").read_text())
    change(compose)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "sample-compose.yaml").write_text(yaml.safe_dump(compose, sort_keys=False))
    target["compose"] = str(tmp_path / "sample-compose.yaml")
    target["load"]["locustfile"] = str(sample / "locustfile.py")
    return target
