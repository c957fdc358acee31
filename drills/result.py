"""The result document: the one thing reports read (schema version "1").

Its core is a contract other tools rely on (docs/design.md, "The result
document"); fields may be added, never renamed. It is written atomically, so
a drill that dies leaves either a whole result or none.
"""

from __future__ import annotations

import math
import os
import pathlib
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import git
from pydantic import ValidationError

from drillbook import __version__, outputs
from drillbook.contract import RESULT_FILE, SCHEMA_VERSION, ResultDocument
from drillbook.drills.judge.measure import LostWrite, Measurements
from drillbook.drills.judge.objectives import Objective
from drillbook.drills.judge.score import Score
from drillbook.drills.judge.streams import StreamFigures
from drillbook.drills.judge.team_alerts import Section
from drillbook.drills.judge.verification import Item
from drillbook.drills.observe.alerts import Alert
from drillbook.drills.observe.diagnostics import Snapshot
from drillbook.drills.observe.samples import MemorySample, Sample
from drillbook.drills.run.timeline import Event
from drillbook.errors import ResultError
from drillbook.replicas.protocols import Replacement
from drillbook.reports import runbook

Verdict = Literal["passed", "failed", "error", "interrupted"]


@dataclass(frozen=True)
class StepResult:
    name: str
    started_at: float
    finished_at: float
    ok: bool
    detail: str


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class DrillResult:
    drill: str
    drill_id: str
    verdict: Verdict
    error: str | None
    started_wall: str
    duration_s: float
    time_scale: float
    tier: str
    target: str
    scenario: str
    recovery: str | None
    measurements: Measurements
    objectives: tuple[Objective, ...]
    checks: tuple[Check, ...]
    alerts: tuple[Alert, ...]
    recovery_steps: tuple[StepResult, ...]
    timeline: tuple[Event, ...]
    samples: tuple[Sample, ...]
    memory: tuple[MemorySample, ...]
    continuity: tuple[tuple[str, str | None], ...]
    lost: tuple[LostWrite, ...]
    spec: dict[str, Any]
    environment: dict[str, str]
    figures: dict[str, float]
    """Figures a procedure measured on its own (e.g. revert commit to healthy)."""
    git_log: tuple[tuple[str, str], ...]
    """The desired state's history at the end of the drill, oldest first: (sha, message)."""
    desired_state: str
    diagnostics: tuple[Snapshot, ...] = ()
    """What the runbook's diagnostic commands showed at the first alert and after recovery."""
    verification: tuple[Item, ...] = ()
    """The runbook's Phase 5 checklist."""
    engineer: str | None = None
    """Who recovered: None for an automated drill."""
    desired_source: tuple[str, str] | None = None
    derived_from: tuple[str, ...] = ()
    """The team's files the desired state was derived from (its Compose files), with their commits."""
    """The team's desired-state repository and the commit the drill started from."""
    rehearsal: Score | None = None
    """How the engineer did, when a person recovered (drillbook rehearse)."""
    findings: tuple[str, ...] = ()
    """What the drill found out about the service (an OOM kill first), each a sentence to act on."""
    deploy: str = "recreate"
    """How a changed service was replaced: recreate (stop, then start) or rolling."""
    replacements: tuple[Replacement, ...] = ()
    """Every service a reconcile replaced, on the drill's clock: a recreate's restart gap is the
    deploy method's outage, apart from the release's own."""
    monitoring: Section | None = None
    """The team's alerting in the replica (a drill with `monitoring:`)."""
    stream: StreamFigures | None = None
    """What the load's WebSocket clients saw (a target with a stream)."""


def traffic_buckets(samples: Sequence[Sample], bucket_s: float = 1.0) -> list[dict[str, float | int]]:
    """The load, per second: requests, errors, mean and max latency."""
    grouped: dict[int, list[Sample]] = {}
    for s in samples:
        if s.source == "load":
            grouped.setdefault(math.floor(s.at / bucket_s), []).append(s)
    return [
        {
            "t": round(b * bucket_s, 3),
            "requests": len(m),
            "errors": sum(not s.ok for s in m),
            "mean_latency_ms": round(sum(s.latency_ms for s in m) / len(m), 2),
            "max_latency_ms": round(max(s.latency_ms for s in m), 2),
        }
        for b, m in sorted(grouped.items())
    ]


def flow_availability(
    samples: Sequence[Sample], start: float | None = None, end: float | None = None
) -> dict[str, dict[str, float | int | None]]:
    """Per probe and per load request name: how many, how many succeeded, the share."""
    counts: dict[str, list[int]] = {}
    for s in samples:
        if (start is not None and s.at < start) or (end is not None and s.at > end):
            continue
        total_ok = counts.setdefault(s.name, [0, 0])
        total_ok[0] += 1
        total_ok[1] += s.ok
    return {
        name: {"requests": n, "ok": ok, "availability": round(ok / n, 4) if n else None}
        for name, (n, ok) in sorted(counts.items())
    }


def severity(alerts: Sequence[Alert]) -> str | None:
    """The incident's severity under the runbook: the gravest of the rules that fired."""
    return min((a.severity for a in alerts), default=None)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def to_document(result: DrillResult) -> dict[str, Any]:
    m = result.measurements
    doc = _core(result)
    doc["engineer"] = result.engineer
    doc["diagnostics"] = [asdict(s) for s in result.diagnostics]
    doc["verification"] = [asdict(i) for i in result.verification]
    doc["escalation"] = runbook.escalation_document(
        doc["severity"],
        m.detected_at,
        m.recovered_at,
        m.recovered_at if m.recovered_at is not None else result.duration_s,
        result.time_scale,
    )
    doc["rehearsal"] = asdict(result.rehearsal) if result.rehearsal else None
    doc["monitoring"] = _monitoring(result.monitoring) if result.monitoring else None
    doc["stream"] = _stream(result.stream) if result.stream else None
    doc["communications"] = runbook.communications(ResultDocument.model_validate(doc))
    return doc


def _stream(figures: StreamFigures) -> dict[str, Any]:
    shown = asdict(figures)
    for key in ("longest_s", "mean_s", "first_lost_at", "last_back_at"):
        shown[key] = _r(shown[key])
    shown["connected"] = [[_r(t), n] for t, n in figures.connected]
    shown["disconnections"] = [
        {**asdict(d), "lost_at": _r(d.lost_at), "back_at": _r(d.back_at)} for d in figures.disconnections
    ]
    return shown


def _monitoring(section: Section) -> dict[str, Any]:
    j = section.judged
    return {
        "rules_file": section.rules_file,
        "alertmanager_file": section.alertmanager_file,
        "rules": list(section.rules),
        "expected": list(section.expected),
        "detect_by": section.detect_by,
        "scrape_interval_s": section.scrape_interval_s,
        "evaluation_interval_s": section.evaluation_interval_s,
        "scaling": [asdict(r) for r in section.rewrites],
        "alerts": [
            {
                "name": f.name,
                "labels": dict(f.labels),
                "fired_at": f.fired_at,
                "resolved_at": f.resolved_at,
                "delivered_at": f.delivered_at,
                "receiver": f.receiver,
                "source": "runbook" if f.runbook else "team",
                "suppressed": f.suppressed,
            }
            for f in section.firings
        ],
        "outcomes": [asdict(o) for o in j.rules],
        "budget_s": j.budget_s,
        "first_fired_at": j.first_fired_at,
        "paged_at": j.paged_at,
        "paged_in_s": j.paged_in_s,
        "within_budget": j.within_budget,
        "tolerance_s": section.tolerance_s,
        "agreement": [asdict(a) for a in section.agreement],
    }


def _core(result: DrillResult) -> dict[str, Any]:
    m = result.measurements
    return {
        "schema_version": SCHEMA_VERSION,
        "drill": result.drill,
        "drill_id": result.drill_id,
        "verdict": result.verdict,
        "error": result.error,
        "started_at": result.started_wall,
        "duration_s": round(result.duration_s, 3),
        "time_scale": result.time_scale,
        "tier": result.tier,
        "target": result.target,
        "scenario": result.scenario,
        "recovery": result.recovery,
        "measurements": {k: (_r(v) if isinstance(v, float) else v) for k, v in asdict(m).items() if k != "outages"},
        "outages": [{"from": _r(o.start), "to": _r(o.end)} for o in m.outages],
        "findings": list(result.findings),
        "deploy": {"method": result.deploy, "replacements": [_replacement(r) for r in result.replacements]},
        "objectives": [
            {"name": o.name, "target_s": o.target_s, "measured_s": _r(o.measured_s), "met": o.met}
            for o in result.objectives
        ],
        "checks": [asdict(c) for c in result.checks],
        "alerts": [
            {"rule": a.rule, "fired_at": _r(a.fired_at), "severity": a.severity, "window_s": a.window_s}
            for a in result.alerts
        ],
        "recovery_steps": [
            {
                "name": s.name,
                "started_at": _r(s.started_at),
                "finished_at": _r(s.finished_at),
                "ok": s.ok,
                "detail": s.detail,
            }
            for s in result.recovery_steps
        ],
        "timeline": [asdict(e) for e in result.timeline],
        "severity": severity(result.alerts),
        "lost_writes": [asdict(w) for w in result.lost],
        "flows": flow_availability(result.samples),
        "flows_during_incident": (
            flow_availability(result.samples, m.disrupted_at, m.recovered_at) if m.disrupted_at is not None else {}
        ),
        "continuity": [{"service": service, "flow": flow} for service, flow in result.continuity],
        "samples": _samples(result),
        "figures": result.figures,
        "git": _git(result),
        "git_log": [{"sha": sha, "message": message} for sha, message in result.git_log],
        "spec": result.spec,
        "environment": result.environment,
    }


def _replacement(r: Replacement) -> dict[str, Any]:
    gap = r.ready_at - r.stopped_at if r.ready_at is not None and r.stopped_at is not None else None
    return {**asdict(r), "stopped_at": _r(r.stopped_at), "ready_at": _r(r.ready_at), "gap_s": _r(gap)}


def _samples(result: DrillResult) -> dict[str, Any]:
    """The raw samples in columns: what the charts draw, small enough to keep."""
    return {
        "probes": [[s.name, _r(s.start), _r(s.end), s.ok, s.status] for s in result.samples if s.source == "probe"],
        "probe_columns": ["name", "start", "end", "ok", "status"],
        "traffic": traffic_buckets(result.samples),
        "memory": [[s.service, _r(s.at), s.used_bytes, s.limit_bytes] for s in result.memory],
        "memory_columns": ["service", "at", "used_bytes", "limit_bytes"],
    }


def _git(result: DrillResult) -> dict[str, Any]:
    return {
        "desired_state": result.desired_state,
        "head": result.git_log[-1][0] if result.git_log else None,
        "source": result.desired_source[0] if result.desired_source else None,
        "source_head": result.desired_source[1] if result.desired_source else None,
        "derived_from": list(result.derived_from),
    }


def drillbook_commit() -> str:
    """The commit of the drillbook checkout that ran the drill, for the audit trail."""
    try:
        repo = git.Repo(pathlib.Path(__file__).resolve().parent, search_parent_directories=True)
        sha = repo.head.commit.hexsha
        return f"{sha}{' (modified)' if repo.is_dirty() else ''}"
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return "not a git checkout"


def environment(docker_version: str | None) -> dict[str, str]:
    return {
        "drillbook": __version__,
        "drillbook_commit": drillbook_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "host": platform.node(),
        "cpus": str(os.cpu_count()),
        "docker": docker_version or "unknown",
    }


def write(document: dict[str, Any], out_dir: pathlib.Path) -> pathlib.Path:
    """Write `result.json` atomically: a reader sees the whole document or none."""
    try:
        ResultDocument.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ResultError(
            f"drillbook wrote a result its own contract refuses ({'.'.join(map(str, first['loc']))}: "
            f"{first['msg']}); this is a bug in drillbook, please report it with the drill file."
        ) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / RESULT_FILE
    try:
        outputs.write_json(final, document, indent=1, sync=True)
    except OSError as exc:
        raise ResultError(f"Cannot write {final}: {exc.strerror or exc}. Choose another --out folder.") from exc
    return final
