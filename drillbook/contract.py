"""The result document's contract, defined once: its files, its version, its model.

`drillbook.drills` writes result documents and checks each against this model
before it reaches the disk; `drillbook.reports` reads them through it. It sits
on the shared floor so that the reports never import the harness, and
`drillbook schema result` prints its JSON Schema for other tools to read
results safely. Fields may be added freely (the model allows extra ones);
renaming or removing one, or changing its meaning, bumps `SCHEMA_VERSION`
(docs/design.md, "The result document").
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RESULT_FILE = "result.json"
JOURNAL_FILE = "journal.jsonl"
SCHEMA_VERSION = "2"
READABLE = ("1", "2")
"""The versions this drillbook reads. Version 2 changed what `recovered_at` and `downtime_s`
mean (the sustained recovery, every outage counted); a version 1 document's figures are
the first recovery's, and render as they were written."""

INSTANTS = (
    "injected_at",
    "disrupted_at",
    "detected_at",
    "recovered_at",
    "downtime_s",
    "degraded_s",
    "time_to_detect_s",
    "time_to_recover_s",
    "rpo_s",
)
COUNTS = ("acked_writes", "lost_writes", "lost_after_injection")
MEASUREMENTS = INSTANTS + COUNTS
"""The measurement fields, in the order reports show them."""

Verdict = Literal["passed", "failed", "error", "interrupted"]


class EventKind(StrEnum):
    """The kinds of the timeline's events. Their values are part of the contract (reports and
    other tools select events by them), so a member is added freely and never renamed."""

    PHASE = "phase"
    FAULT = "fault"
    DATA_CHECK = "data_check"
    TEARDOWN = "teardown"
    GIT = "git"
    DIAGNOSTICS = "diagnostics"
    ALERT = "alert"
    VERIFY = "verify"
    STEADY_STATE = "steady_state"
    SIGNAL = "signal"
    RECOVERY_STEP = "recovery_step"
    RECOVERY = "recovery"
    RECONCILE = "reconcile"
    MEASURE = "measure"
    LOAD = "load"
    STREAM = "stream"
    REHEARSAL = "rehearsal"
    CONTAINER = "container"
    FAILOVER = "failover"
    OOM = "oom"
    VOLUME = "volume"
    ESCALATION = "escalation"
    SETUP = "setup"
    SWARM = "swarm"
    """The swarm's own view: nodes ready or down, leader changes, where each task runs (its task
    and node lines are `swarm_task_line` and `swarm_node_line`: the report reads placement from them)."""
    ERROR = "error"
    INTERRUPTED = "interrupted"


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)


class Measurements(_Part):
    injected_at: float | None = None
    disrupted_at: float | None = None
    detected_at: float | None = None
    recovered_at: float | None = None
    downtime_s: float | None = None
    degraded_s: float | None = None
    time_to_detect_s: float | None = None
    time_to_recover_s: float | None = None
    rpo_s: float | None = None
    acked_writes: int | None = None
    lost_writes: int | None = None
    lost_after_injection: int | None = None


class Objective(_Part):
    name: str
    target_s: float | None
    measured_s: float | None
    met: bool | None


class Event(_Part):
    t: float
    wall: str | None = None
    kind: str
    detail: str


class Alert(_Part):
    rule: str
    fired_at: float | None
    severity: str
    window_s: float | None = None


class Step(_Part):
    name: str
    started_at: float | None
    finished_at: float | None
    ok: bool
    detail: str = ""


class Check(_Part):
    name: str
    ok: bool
    detail: str


class LostWrite(_Part):
    id: str
    acked_at: float
    reason: Literal["missing", "changed"]
    detail: str = ""


class Outage(_Part):
    from_: float = Field(alias="from")
    to: float | None


class Replacement(_Part):
    service: str
    method: Literal["recreate", "rolling"]
    image: str
    stopped_at: float | None
    ready_at: float | None
    outcome: str
    gap_s: float | None = None


class Deploy(_Part):
    method: Literal["recreate", "rolling"] = "recreate"
    replacements: list[Replacement] = []


class Traffic(_Part):
    """The load in one second."""

    t: float
    requests: int
    errors: int
    mean_latency_ms: float
    max_latency_ms: float


class Samples(_Part):
    probes: list[list[Any]] = []
    """Rows of `probe_columns`: name, start, end, ok, status."""
    traffic: list[Traffic] = []
    memory: list[tuple[str, float, int | None, int | None]] = []
    """Rows of `memory_columns`: service, at, used_bytes, limit_bytes."""


class FlowCount(_Part):
    requests: int
    ok: int
    availability: float | None


class Continuity(_Part):
    service: str
    flow: str | None = None


class Rewrite(_Part):
    group: str
    rule: str
    field: str
    before: str
    after: str


class TeamAlert(_Part):
    """One firing of an alert in the replica's Prometheus, on the drill's clock."""

    name: str
    labels: dict[str, str] = {}
    fired_at: float
    resolved_at: float | None = None
    delivered_at: float | None = None
    receiver: str | None = None
    source: Literal["team", "runbook"] = "team"
    suppressed: str | None = None
    """Why Alertmanager held it back (`inhibited by X`, `silenced`); None: it did not."""


class RuleOutcome(_Part):
    rule: str
    expected: bool
    status: Literal["fired", "missed", "noise", "quiet"]
    fired_at: float | None = None
    delivered_at: float | None = None
    after_fault_s: float | None = None
    after_drillbook_s: float | None = None


class Agreement(_Part):
    """One of drillbook's alerts beside the shipped runbook rule's firing in Prometheus."""

    rule: str
    drillbook_at: float
    prometheus_at: float | None = None
    apart_s: float | None = None


class Monitoring(_Part):
    """The team's alerting in the replica: its rules, what fired, what was judged."""

    rules_file: str
    alertmanager_file: str | None = None
    rules: list[str] = []
    expected: list[str] = []
    detect_by: Literal["drillbook", "monitoring"] = "drillbook"
    scrape_interval_s: float
    evaluation_interval_s: float
    scaling: list[Rewrite] = []
    alerts: list[TeamAlert] = []
    outcomes: list[RuleOutcome] = []
    budget_s: float
    first_fired_at: float | None = None
    paged_at: float | None = None
    paged_in_s: float | None = None
    within_budget: bool | None = None
    tolerance_s: float = 0.0
    agreement: list[Agreement] = []


class Disconnection(_Part):
    client: int
    lost_at: float
    back_at: float | None
    why: str


class Stream(_Part):
    """What the load's WebSocket clients saw (a target with `load.websocket`), apart from the
    HTTP downtime: how many lost the stream after the fault, for how long, how many came back."""

    url_path: str
    clients: int
    connected_at_injection: int
    disconnected: int
    reconnected: int
    longest_s: float | None = None
    mean_s: float | None = None
    first_lost_at: float | None = None
    last_back_at: float | None = None
    disconnections: list[Disconnection] = []
    connected: list[tuple[float, int]] = []
    """[t, clients holding the stream] from each change on."""


class ResultDocument(_Part):
    """A drill's result: its core (the first eight fields) and what rides beside it."""

    schema_version: Literal["1", "2"]
    drill: str
    verdict: Verdict
    measurements: Measurements
    objectives: list[Objective]
    alerts: list[Alert]
    recovery_steps: list[Step]
    timeline: list[Event]
    drill_id: str | None = None
    error: str | None = None
    incomplete: bool = False
    started_at: str | None = None
    duration_s: float | None = None
    time_scale: float = 1.0
    tier: str | None = None
    target: str | None = None
    scenario: str | None = None
    recovery: str | None = None
    checks: list[Check] = []
    severity: str | None = None
    lost_writes: list[LostWrite] = []
    outages: list[Outage] = []
    findings: list[str] = []
    deploy: Deploy = Deploy()
    figures: dict[str, float] = {}
    spec: dict[str, Any] = {}
    environment: dict[str, str] = {}
    samples: Samples = Samples()
    flows: dict[str, FlowCount] = {}
    flows_during_incident: dict[str, FlowCount] = {}
    continuity: list[Continuity] = []
    engineer: str | None = None
    masked: list[str] = []
    """Which secrets were masked, by what they are (never their values)."""
    monitoring: Monitoring | None = None
    stream: Stream | None = None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a result document (`drillbook schema result`)."""
    schema = ResultDocument.model_json_schema(by_alias=True)
    schema["title"] = "drillbook result document"
    return schema


SWARM_TASK = re.compile(r"^task (?P<task>\S+\.\d+) on (?P<node>\S+): (?P<state>[a-z]+)")
SWARM_NODE = re.compile(r"^node (?P<node>\S+) is (?P<state>[a-z]+) \(was (?P<was>[a-z]+)\)")


def swarm_task_line(service: str, slot: int, node: str, state: str, why: str = "") -> str:
    """A `swarm` event of a task: where it runs, or how it ended (`why`: the swarm's error)."""
    return f"task {service}.{slot} on {node}: {state}" + (f": {why}" if why else "")


def swarm_node_line(node: str, state: str, was: str) -> str:
    """A `swarm` event of a node changing state (ready, unknown, down)."""
    return f"node {node} is {state} (was {was})"
