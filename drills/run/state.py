"""One drill's state: what every phase reads and what it leaves for the next.

The phases (`drills/run/phases/`) are plain functions over this object, in the
order docs/design.md gives; the runner only sequences them. Keeping the state
in one place is what lets a phase be read, and tested, on its own.
"""

from __future__ import annotations

import enum
import pathlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from drillbook.contract import EventKind
from drillbook.drills.judge.measure import LostWrite
from drillbook.drills.judge.score import Score
from drillbook.drills.observe.diagnostics import Background
from drillbook.drills.observe.load.process import LoadProcess
from drillbook.drills.observe.memory import MemorySampler
from drillbook.drills.observe.monitoring.collect import Firing
from drillbook.drills.observe.monitoring.monitor import Monitor
from drillbook.drills.observe.monitoring.plan import Plan
from drillbook.drills.observe.probes import ProbeRunner
from drillbook.drills.result import Check, StepResult
from drillbook.drills.run.masking import Masker
from drillbook.drills.run.timeline import Clock, Timeline
from drillbook.drills.spec import DrillSpec
from drillbook.errors import DrillTimeout
from drillbook.recovery.base import AnyProcedure
from drillbook.replicas.cluster.state import ClusterState
from drillbook.replicas.desired_state import DesiredState
from drillbook.replicas.protocols import ReplicaAPI
from drillbook.scenarios.base import Fault, Scenario

POLL_S = 0.1


class DrillState(enum.Enum):
    PENDING = "pending"
    PROVISIONING = "provisioning"
    WARMING_UP = "warming up"
    STEADY_STATE = "steady state"
    INJECTING = "injecting"
    DETECTING = "detecting"
    RECOVERING = "recovering"
    VERIFYING = "verifying"
    MEASURING = "measuring"
    TEARING_DOWN = "tearing down"
    DONE = "done"


@dataclass
class Drill:
    spec: DrillSpec
    out_dir: pathlib.Path
    drill_id: str
    scenario: Scenario
    procedure: AnyProcedure | None
    masker: Masker
    cap_s: float
    """The drill's maximum duration: phases.max_duration_s, plus a person's time in a rehearsal."""
    clock: Clock = field(default_factory=Clock)
    timeline: Timeline = field(init=False)
    phase: DrillState = DrillState.PENDING
    desired: DesiredState | None = None
    desired_source: tuple[str, str] | None = None
    """The team's desired-state repository and the commit the drill started from."""
    replica: ReplicaAPI | None = None
    """The replica as the plug-ins see it (provisioning makes the Docker one)."""
    load: LoadProcess | None = None
    probes: ProbeRunner | None = None
    memory: MemorySampler | None = None
    diagnostics: Background | None = None
    fault: Fault | None = None
    injected_at: float | None = None
    hold_until: float | None = None
    revert_recorded: bool = False
    """The fault's revert is on the timeline already (its hold time ended)."""
    detected_at: float | None = None
    steps: list[StepResult] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    lost: list[LostWrite] | None = None
    observed_until: float | None = None
    """The end of verification: what happens after it (the load stopping) is not measured."""
    fired_rules: list[str] = field(default_factory=list)
    engineer: str | None = None
    """Who recovered by hand (a rehearsal); None: the harness ran the procedure."""
    score: Score | None = None
    monitoring_plan: Plan | None = None
    """The team's monitoring, checked before anything started; None: the drill has none."""
    monitor: Monitor | None = None
    firings: list[Firing] = field(default_factory=list)
    """Every alert the replica's Prometheus fired, read before teardown."""
    lent_cluster: ClusterState | None = None
    """A local cluster the drill runs on and leaves (`engine: {kind: swarm}`); None: it forms its own."""

    def __post_init__(self) -> None:
        self.timeline = Timeline(self.clock)

    def enter(self, phase: DrillState) -> None:
        self.phase = phase
        self.timeline.record(EventKind.PHASE, phase.value)

    def figure(self, name: str, value: float) -> None:
        self.figures[name] = round(value, 4)
        self.timeline.record(EventKind.MEASURE, f"{name} = {value:.2f}")

    def revert_if_held(self) -> None:
        """End a fault whose hold time is over (the procedure may not have)."""
        held = self.hold_until is not None and self.clock.now() >= self.hold_until
        if held and self.fault is not None and self.fault.revert():
            self.revert_recorded = True
            self.timeline.record(EventKind.FAULT, f"reverted after its hold time: {self.fault.revert_detail}")

    def wait(self, done: Callable[[], bool], timeout_s: float | None) -> bool:
        """Poll until `done`, reverting a held fault on time and honouring the drill's cap."""
        started = self.clock.now()
        while True:
            self.revert_if_held()
            if done():
                return True
            now = self.clock.now()
            if timeout_s is not None and now - started >= timeout_s:
                return False
            if now >= self.cap_s:
                raise DrillTimeout(
                    f"The drill ran past its maximum duration ({self.cap_s:g} s, phases.max_duration_s) "
                    f"while {self.phase.value}; it was stopped and torn down. Raise the cap or "
                    "shorten the phases."
                )
            time.sleep(POLL_S)

    def require_load(self) -> LoadProcess:
        if self.load is None:
            raise RuntimeError(f"no load while {self.phase.value}: phases ran out of order")
        return self.load

    def require_replica(self) -> ReplicaAPI:
        """The replica, for a phase that only runs after provisioning made it."""
        if self.replica is None:
            raise RuntimeError(f"no replica while {self.phase.value}: phases ran out of order")
        return self.replica
