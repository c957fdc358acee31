"""The drill file's schema: one pydantic model per section, strict, at the YAML edge.

`drills/spec.py` reads the file and turns a valid model into the runner's
`DrillSpec` and `Target`; `drillbook schema drill` prints this as JSON Schema,
for editors' completion.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from drillbook.drills.judge.objectives import Tier
from drillbook.drills.observe.alerts import rule_names
from drillbook.drills.schema_target import Model, TargetModel
from drillbook.replicas.step_schema import StepModel

DECLARED = "steps"
"""The name of a recovery a drill declares as steps."""
RUNBOOK = "runbook"
"""The name of a recovery that is a section of the team's runbook."""

Seconds = Annotated[float, Field(gt=0)]


# --- the drill ---------------------------------------------------------------


class LoadModel(Model):
    users: int = Field(default=4, ge=1, le=200)
    rate: float = Field(default=20.0, gt=0, le=2000, description="requests per second, all users")
    timeout_s: Seconds = 2.0


class ProbesModel(Model):
    interval_s: float = Field(default=0.1, ge=0.02, le=10)
    memory_interval_s: float = Field(default=0.5, ge=0.1, le=60)
    timeout_s: Seconds = 1.0


class PhasesModel(Model):
    warmup_s: float = Field(default=0.0, ge=0, le=600)
    """Load on the service before the steady state is judged: cold caches, lazy workers."""
    steady_state_s: Seconds = 5.0
    detect_timeout_s: Seconds = 60.0
    recover_timeout_s: Seconds = 120.0
    verify_window_s: Seconds = 5.0
    max_duration_s: Seconds = 900.0


class SteadyStateModel(Model):
    max_error_rate: float = Field(default=0.01, ge=0, le=1)
    max_mean_latency_ms: float = Field(default=500.0, gt=0)
    windows: int = Field(default=3, ge=1, le=10)
    """The hypothesis must hold for one whole window of phases.steady_state_s; a window that
    fails (one probe that timed out once) is followed by a new one, up to this many in all."""


class VerifyModel(Model):
    max_error_rate: float = Field(default=0.01, ge=0, le=1)


class AlertsModel(Model):
    time_scale: float = Field(default=1.0, gt=0, le=1)
    windows_s: dict[str, float] = {}
    """Per-rule windows in real seconds, instead of the runbook's window × time_scale."""

    @field_validator("windows_s")
    @classmethod
    def _known_rules(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(rule_names()))
        if unknown:
            raise ValueError(f"unknown alert rule {', '.join(unknown)}; the rules are {', '.join(rule_names())}")
        if any(v < 0 for v in value.values()):
            raise ValueError("windows must be 0 or more seconds")
        return value


class ScrapeModel(Model):
    """A service of the target Prometheus scrapes, on the replica's network."""

    service: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    path: str = Field(default="/metrics", pattern=r"^/")


class MonitoringModel(Model):
    """The team's own monitoring in the replica: its Prometheus rules, its Alertmanager routes."""

    rules: str = Field(min_length=1)
    """The team's Prometheus alerting rules, relative to the drill file, loaded as written."""
    scrape: list[ScrapeModel] = []
    alertmanager: str | None = None
    """The team's alertmanager.yml (routes, grouping, inhibitions); its receivers become the sink."""
    scrape_interval: str = Field(default="15s", pattern=r"^(\d+(ms|[smhdwy]))+$")
    """The team's production scrape and evaluation interval, scaled by alerts.time_scale."""
    expect: list[str] | None = None
    """The team's alerts this fault should fire; left out, the rules whose name or a label
    value is one of the scenario's expected runbook alerts."""


class DetectModel(Model):
    by: Literal["drillbook", "monitoring"] = "drillbook"
    """`monitoring`: the first of the team's alerts is the reported detection, its budget an
    objective; drillbook's own rules still start the recovery."""


class ScenarioModel(Model):
    name: str = Field(min_length=1, max_length=60)
    """A built-in or installed scenario; with `steps`, a free name for the drill's own fault."""
    with_: dict[str, Any] = Field(default={}, alias="with")
    hold_s: Seconds | None = None
    """Revert the fault by itself after this long (a self-healing outage)."""
    description: str = ""
    expected_alerts: list[str] = []
    """The alert rules a declared fault should fire (one of them must)."""
    steps: list[StepModel] | None = Field(default=None, min_length=1)
    """The fault as the drill's own steps, instead of a scenario module."""
    revert: list[StepModel] = []
    """Steps that undo a declared fault: run at teardown in every outcome once it started; safe to run twice."""

    @model_validator(mode="after")
    def _declared_or_named(self) -> ScenarioModel:
        if self.steps is None and (self.revert or self.expected_alerts or self.description):
            raise ValueError("`revert`, `expected_alerts` and `description` belong to a fault declared with `steps`")
        if self.steps is not None and self.with_:
            raise ValueError("a fault declared with `steps` takes no `with:`; put the values in its steps")
        if self.steps is not None and any(s.procedure is not None for s in [*self.steps, *self.revert]):
            raise ValueError("a fault's steps cannot be a `procedure` step: procedures recover, they do not break")
        for rule in self.expected_alerts:
            if rule not in rule_names():
                known = ", ".join(rule_names())
                raise ValueError(f"unknown alert rule {rule!r} in expected_alerts; the rules are {known}")
        return self


class RoleModel(Model):
    user: str = Field(min_length=1)
    password: str = Field(min_length=1)


class RunbookModel(Model):
    """A section of the team's runbook (Markdown) as the recovery: its shell commands, run in the toolbox."""

    file: str = Field(min_length=1)
    """The runbook, relative to the drill file."""
    section: str = Field(min_length=1)
    """The heading's text; its subsections come with it."""
    role: RoleModel | None = None
    """The database role in DATABASE_URL (default: the database's administrator, as the runbook expects)."""
    timeout_s: Seconds = 60.0
    """How long one command may run before it counts as interactive and is stopped."""


class RecoveryModel(Model):
    name: str = ""
    """A built-in or installed procedure; `steps` for a recovery declared as steps, `runbook` for a
    section of the team's runbook."""
    with_: dict[str, Any] = Field(default={}, alias="with")
    steps: list[StepModel] | None = Field(default=None, min_length=1)
    """The recovery as the drill's own steps, instead of a procedure module."""
    runbook: RunbookModel | None = None
    values: dict[str, str] = {}
    """Fills the runbook's placeholders (`stable-commit-hash: "{last_stable_commit}"`)."""

    @model_validator(mode="before")
    @classmethod
    def _declared_or_named(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = [k for k in ("name", "steps", "runbook") if k in data]
        if len(given) != 1:
            raise ValueError(
                "a recovery names a procedure (`name:`), declares `steps:` or runs a `runbook:` section, one of the "
                f"three (this one has {', '.join(given) or 'none'})"
            )
        if "with" in data and "name" not in data:
            raise ValueError("only a named procedure takes `with:`; put the values in the steps or in `values:`")
        if "values" in data and "runbook" not in data:
            raise ValueError("`values:` fills a runbook's placeholders; it belongs to a `runbook:` recovery")
        if "name" in data:
            return data
        return {**data, "name": DECLARED if "steps" in data else RUNBOOK}

    @property
    def declared(self) -> bool:
        return self.steps is not None


class ObjectivesModel(Model):
    tier: Tier = "customer-facing"
    rto_s: Seconds | None = None
    rpo_s: Seconds | None = None


class ServiceChangeModel(Model):
    """A limit of one of the target's services, changed for this drill only."""

    cpus: float | None = Field(default=None, gt=0, le=64)
    mem_limit: str | None = None
    restart: Literal["no", "on-failure", "always", "unless-stopped"] | None = None
    env: dict[str, str] = {}
    """Variables added to (or replacing in) the service's environment."""
    volume_sizes: dict[str, str] = {}
    """Volumes made a filesystem of their own for this drill (`pgdata: 128m`)."""


class DumpModel(Model):
    interval_s: Seconds = 30.0
    """A pg_dump in custom format every this many seconds."""


class StandbyModel(Model):
    mode: Literal["async", "sync"] = "async"


class BackupsModel(Model):
    """Backups in the replica; each becomes services and environment in the desired state."""

    dump: DumpModel | None = None
    wal_archive: bool = False
    """Continuous WAL archiving with a base backup at start: point-in-time recovery."""
    standby: StandbyModel | None = None


class FaultProxyModel(Model):
    """A TCP fault proxy in front of one service, for faults on the path to it."""

    service: str | None = None
    """The service the proxy fronts; the target's database when left out."""


class EngineModel(Model):
    """Where the replica runs: the single Docker engine, or a local Swarm cluster drillbook
    makes for the drill and removes after it (`replicas/cluster/`)."""

    kind: Literal["docker", "swarm"] = "docker"
    nodes: int = Field(default=3, ge=1, le=5)
    managers: int | None = Field(default=None, ge=1, le=5)
    """Managers among the nodes; the rest are workers. Left out: every node is a manager."""
    replicas: int = Field(default=2, ge=1, le=5)
    """Tasks of the app, spread by Swarm, one a node (each publishes the app's port on its node)."""
    heartbeat_s: float = Field(default=5.0, ge=0.5, le=60)
    """The swarm's dispatcher heartbeat period (Swarm's default 5 s): a node is marked down
    after about three periods without one."""
    first_leader: str = Field(default="node1", pattern=r"^node[1-5]$")
    """The manager that forms the swarm, and so leads it until an election. The database is
    pinned to node1: a drill about losing the leader alone forms the swarm elsewhere, instead of
    moving the leader off node1 (18 s at Swarm's heartbeat). A lent cluster keeps its leader."""

    @model_validator(mode="after")
    def _fits(self) -> EngineModel:
        if self.managers is not None and self.managers > self.nodes:
            raise ValueError(f"{self.managers} managers do not fit in {self.nodes} nodes")
        managers = self.nodes if self.managers is None else self.managers
        if int(self.first_leader.removeprefix("node")) > managers:
            raise ValueError(
                f"first_leader {self.first_leader} is not a manager: nodes 1 to {managers} are (workers come last)"
            )
        if self.replicas > self.nodes:
            raise ValueError(
                f"{self.replicas} replicas of the app need {self.replicas} nodes: each task publishes the app's "
                "port on its own node"
            )
        return self


SWARM_REFUSES = {
    "monitoring": "Prometheus and Alertmanager in the replica",
    "fault_proxy": "the fault proxy",
}
"""What the swarm engine does not run yet, each refused before anything starts."""


class DrillModel(Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=60)
    description: str = ""
    target: str | TargetModel = "sample"
    load: LoadModel = LoadModel()
    probes: ProbesModel = ProbesModel()
    phases: PhasesModel = PhasesModel()
    steady_state: SteadyStateModel = SteadyStateModel()
    verify: VerifyModel = VerifyModel()
    alerts: AlertsModel = AlertsModel()
    monitoring: MonitoringModel | None = None
    """Prometheus and Alertmanager in the replica, with the team's rules (see `drills/observe/monitoring`)."""
    detect: DetectModel = DetectModel()
    scenario: ScenarioModel
    recovery: RecoveryModel | None = None
    compare: list[RecoveryModel] = []
    """Several procedures for the same fault, each run on a fresh replica and compared side by
    side; instead of `recovery`."""
    objectives: ObjectivesModel = ObjectivesModel()
    services: dict[str, ServiceChangeModel] = {}
    """The same stack with other limits: per service, what this drill changes (a tighter CPU limit,
    a restart policy), without a copy of the target."""
    fault_proxy: FaultProxyModel | None = None
    """drillbook's fault proxy in front of a service from the start (for latency, black-hole
    and reset faults on the path to it); the rest of the stack reaches the service through it."""
    backups: BackupsModel | None = None
    """Dumps, a WAL archive with a base backup, a streaming standby: see `replicas.backups`."""
    allow_remote: bool = False
    """Load and probes may leave loopback; needs --allow-remote on the command line too."""
    engine: EngineModel = EngineModel()

    def runbooks(self) -> list[RunbookModel]:
        """The runbook sections this drill recovers with (several under `compare`)."""
        return [r.runbook for r in [*([self.recovery] if self.recovery else []), *self.compare] if r.runbook]

    @model_validator(mode="after")
    def _monitoring_to_detect(self) -> DrillModel:
        if self.detect.by == "monitoring" and self.monitoring is None:
            raise ValueError("`detect: {by: monitoring}` needs a `monitoring:` section with the team's rules")
        return self

    @model_validator(mode="after")
    def _engine_runs_it(self) -> DrillModel:
        if self.engine.kind != "swarm":
            return self
        for section, what in SWARM_REFUSES.items():
            if getattr(self, section) is not None:
                raise ValueError(
                    f"`{section}` ({what}) runs on the single Docker engine only, not yet on `engine: "
                    "{kind: swarm}`: remove one of them"
                )
        if self.backups is not None and (self.backups.dump is not None or self.backups.wal_archive):
            raise ValueError(
                "`backups` on `engine: {kind: swarm}` is a `standby` only: dumps and a WAL archive run on the "
                "single Docker engine only, not yet on the swarm; remove them or the engine"
            )
        if self.runbooks():
            raise ValueError(
                "a runbook recovery runs in the toolbox, which runs on the single Docker engine only, not yet on "
                "`engine: {kind: swarm}`: remove one of them"
            )
        return self

    @model_validator(mode="after")
    def _one_way_to_recover(self) -> DrillModel:
        if self.compare and self.recovery is not None:
            raise ValueError("name the procedures either in `recovery` (one) or in `compare` (several), not both")
        if len(self.compare) == 1:
            raise ValueError("`compare` needs at least two procedures; for one, use `recovery`")
        if any(r.steps is not None for r in self.compare):
            raise ValueError(
                "`compare` compares named procedures and runbook sections; declared `steps` go in `recovery`"
            )
        return self


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a drill file (`drillbook schema drill`), for editors and other tools."""
    schema = DrillModel.model_json_schema(by_alias=True)
    schema["title"] = "drillbook drill file"
    return schema
