"""The runner as a sequencer, on the fake replica: phases in order, and every outcome torn down.

Each phase is replaced by a recorder (provisioning makes the fake replica, the
fault is the real db_outage scenario entered through the real teardown), so an
interrupt, an error or a bug can be put into any phase without an engine.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import pytest

from drillbook import contract
from drillbook.drills import spec
from drillbook.drills.run.phases import inject
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.state import Drill, DrillState
from drillbook.drills.run.teardown import Teardown
from drillbook.errors import PluginError, SteadyStateError
from tests.conftest import CATALOG
from tests.fakes import FakeApp, FakeReplica, did

PHASE = "drillbook.drills.run.phases"
PHASES = ("provision", "steady_state", "inject", "detect", "recover", "verify", "data_check")


class FakeClient:
    def version(self) -> dict[str, str]:
        return {"Version": "fake"}


@dataclass
class Script:
    """The phases as recorders; `fail[phase]` is raised when that phase is reached."""

    fail: dict[str, BaseException] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    replicas: list[FakeReplica] = field(default_factory=list)

    def phase(
        self, name: str, state: DrillState, body: Callable[[Drill], None] = lambda _d: None
    ) -> Callable[..., None]:
        def run(drill: Drill, *args: object) -> None:
            drill.enter(state)
            self.ran.append(name)
            if name in self.fail:
                raise self.fail[name]
            body(drill)

        return run

    def provision(self, drill: Drill, _client: object, teardown: Teardown, _allow_remote: bool) -> None:
        assert drill.desired is not None
        replica = FakeReplica(drill.spec.target, drill.desired, FakeApp())
        self.replicas.append(replica)
        drill.replica = replica
        teardown.push("remove the replica", lambda: replica.actions.append("teardown"), essential=True)
        self.phase("provision", DrillState.PROVISIONING)(drill)


class Recorded:
    engineer: str | None = None

    def __init__(self, script: Script) -> None:
        self.script = script

    def extra_s(self, drill: Drill) -> float:
        return 0.0

    def recover(self, drill: Drill) -> None:
        self.script.phase("recover", DrillState.RECOVERING)(drill)


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> Iterator[Script]:
    made = Script()
    monkeypatch.setattr("drillbook.replicas.engine.connect", FakeClient)
    monkeypatch.setattr("drillbook.replicas.images.ensure", lambda *_a, **_k: None)
    monkeypatch.setattr("drillbook.replicas.cleanup.survey", lambda _client: [])
    monkeypatch.setattr(f"{PHASE}.provision.provision", made.provision)
    monkeypatch.setattr(f"{PHASE}.steady.warm_up", lambda _d: None)
    monkeypatch.setattr(f"{PHASE}.steady.steady_state", made.phase("steady_state", DrillState.STEADY_STATE))
    real_inject = inject.inject

    def injecting(drill: Drill, teardown: Teardown) -> None:
        real_inject(drill, teardown)  # the real scenario, into the real teardown's stack
        made.ran.append("inject")
        if "inject" in made.fail:
            raise made.fail["inject"]

    monkeypatch.setattr(f"{PHASE}.inject.inject", injecting)
    monkeypatch.setattr(f"{PHASE}.inject.detect", made.phase("detect", DrillState.DETECTING))
    monkeypatch.setattr(f"{PHASE}.verify.verify", made.phase("verify", DrillState.VERIFYING))
    monkeypatch.setattr(f"{PHASE}.measure.data_check", made.phase("data_check", DrillState.MEASURING))
    yield made
    for replica in made.replicas:
        replica.close()


def run(script: Script, out: pathlib.Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    drill = spec.load(CATALOG / "db-outage.yaml")
    DrillRunner(drill, out, recovery=Recorded(script)).run()
    document = json.loads((out / contract.RESULT_FILE).read_text())
    jsonschema.validate(document, contract.json_schema())
    journal = [json.loads(line) for line in (out / contract.JOURNAL_FILE).read_text().splitlines()]
    return document, journal


def teardown_lines(document: dict[str, Any]) -> list[str]:
    timeline = document["timeline"]
    return [str(e["detail"]) for e in timeline if e["kind"] in ("teardown", "fault")]


@pytest.mark.parametrize("phase", PHASES)
def test_an_interrupt_in_any_phase_is_torn_down_and_reported(
    script: Script, tmp_path: pathlib.Path, phase: str
) -> None:
    script.fail[phase] = KeyboardInterrupt("SIGTERM")
    document, journal = run(script, tmp_path)

    assert script.ran == list(PHASES[: PHASES.index(phase) + 1])
    assert document["verdict"] == "interrupted"
    error = str(document["error"])
    assert error.startswith("Interrupted by SIGTERM while ")
    fault_in_place = PHASES.index(phase) >= PHASES.index("inject")
    assert ("the fault was reverted" in error) is fault_in_place
    replica = script.replicas[0]
    assert replica.actions.count("teardown") == 1
    if fault_in_place:  # the real scenario's exit ran through the teardown, before the replica went
        assert did(replica, "start db") and replica.states["db"] == "running"
        assert replica.actions.index("start db") < replica.actions.index("teardown")
        assert any(line.startswith("reverted at teardown") for line in teardown_lines(document))
    assert journal[-1]["verdict"] == "interrupted"


@pytest.mark.parametrize("phase", ["steady_state", "detect", "verify"])
def test_a_drillbook_error_is_the_verdict_error_with_its_message(
    script: Script, tmp_path: pathlib.Path, phase: str
) -> None:
    script.fail[phase] = SteadyStateError("The steady state did not hold before any fault.")
    document, _journal = run(script, tmp_path)
    assert document["verdict"] == "error"
    assert document["error"] == "The steady state did not hold before any fault."
    assert script.replicas[0].actions.count("teardown") == 1


def test_a_scenario_that_refuses_the_running_replica_stops_before_the_steady_state(
    script: Script, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(drill: Drill) -> None:
        script.ran.append("ready")
        raise PluginError("The scenario would open 500 connections; nothing was opened.")

    monkeypatch.setattr(f"{PHASE}.inject.ready", refuse)
    document, _journal = run(script, tmp_path)
    assert script.ran == ["provision", "ready"]
    assert document["verdict"] == "error" and "nothing was opened" in document["error"]
    assert script.replicas[0].actions.count("teardown") == 1


def test_a_bug_in_a_phase_still_tears_everything_down(script: Script, tmp_path: pathlib.Path) -> None:
    script.fail["detect"] = ZeroDivisionError("a bug")
    with pytest.raises(ZeroDivisionError):
        DrillRunner(spec.load(CATALOG / "db-outage.yaml"), tmp_path, recovery=Recorded(script)).run()
    replica = script.replicas[0]
    assert replica.actions.count("teardown") == 1 and replica.states["db"] == "running"


def test_every_phase_runs_once_in_order_and_the_result_is_judged(script: Script, tmp_path: pathlib.Path) -> None:
    document, journal = run(script, tmp_path)
    assert script.ran == list(PHASES)
    phases = [e["detail"] for e in document["timeline"] if e["kind"] == "phase"]
    assert phases == [
        "provisioning",
        "steady state",
        "injecting",
        "detecting",
        "recovering",
        "verifying",
        "measuring",
        "tearing down",
        "done",
    ]
    # The recorders measured nothing: no write was proven, and the verdict says so instead of passing.
    checks = {c["name"]: c["ok"] for c in document["checks"]}
    assert document["verdict"] == "failed" and checks["writes_proven"] is False
    assert journal[0]["drill"] == "db-outage" and journal[-1]["verdict"] == "failed"


@pytest.mark.parametrize(
    ("drill", "scenario"),
    [
        ("node-lost", "node_lost"),
        ("bad-rollout", "bad_rollout"),
        ("primary-node-lost", "primary_node_lost"),
        ("task-crash", "task_crash"),
        ("leader-lost", "leader_lost"),
    ],
)
def test_a_swarm_scenario_on_the_single_engine_is_refused_naming_the_engine_line(
    tmp_path: pathlib.Path, drill: str, scenario: str
) -> None:
    path = spec.write_variant(CATALOG / f"{drill}.yaml", tmp_path, "single", engine={"kind": "docker"})
    refused = rf"single.yaml:\d+: the scenario '{scenario}' runs on the swarm engine"
    with pytest.raises(PluginError, match=refused):
        DrillRunner(spec.load(path), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_teardown_that_fails_fails_the_drill_and_names_what_was_left(
    script: Script, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = script.provision

    def provision(drill: Drill, client: object, teardown: Teardown, allow_remote: bool) -> None:
        real(drill, client, teardown, allow_remote)

        def stuck() -> None:
            raise RuntimeError("network drillbook-x has active endpoints")

        teardown.push("remove the network", stuck, essential=True)

    monkeypatch.setattr(f"{PHASE}.provision.provision", provision)
    document, _journal = run(script, tmp_path)
    assert document["verdict"] == "failed"
    check = next(c for c in document["checks"] if c["name"] == "teardown")  # none when all was undone
    assert not check["ok"] and "remove the network: network drillbook-x has active endpoints" in check["detail"]
    assert "drillbook cleanup" in check["detail"]
    assert script.replicas[0].actions.count("teardown") == 1  # the other actions still ran
    assert "FAILED: remove the network: network drillbook-x has active endpoints" in teardown_lines(document)
