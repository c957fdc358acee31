"""The harness: the phases of docs/design.md on one timeline, teardown in every outcome.

provision -> steady state -> inject -> detect -> recover -> verify
          -> measure and report, and always teardown
"""

from __future__ import annotations

import enum
import os
import pathlib
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import docker.errors
import httpx
import psycopg
from docker import DockerClient

from drillbook import reports
from drillbook.contract import JOURNAL_FILE, EventKind
from drillbook.drills.judge import datacheck, findings, measure, objectives, steady, verification
from drillbook.drills.judge.measure import LostWrite, Measurements
from drillbook.drills.judge.score import Score
from drillbook.drills.observe import alerts as alert_rules
from drillbook.drills.observe.diagnostics import Background, Gatherer, Snapshot
from drillbook.drills.observe.load.process import LoadProcess
from drillbook.drills.observe.memory import MemorySampler
from drillbook.drills.observe.probes import Probe, ProbeRunner
from drillbook.drills.observe.samples import MemorySample, Sample
from drillbook.drills.result import Check, DrillResult, StepResult, Verdict, environment, to_document
from drillbook.drills.result import write as write_document
from drillbook.drills.run.guards import require_loopback
from drillbook.drills.run.journal import Journal
from drillbook.drills.run.masking import Masker
from drillbook.drills.run.signals import Interrupts
from drillbook.drills.run.teardown import Teardown
from drillbook.drills.run.timeline import Clock, Event, Timeline
from drillbook.drills.spec import DrillSpec
from drillbook.errors import DrillbookError, DrillTimeout, RecoveryStepFailed, SteadyStateError
from drillbook.plugins import check_arguments
from drillbook.recovery import REGISTRY as PROCEDURES
from drillbook.recovery.base import Procedure, StepContext
from drillbook.replicas import cleanup, engine, images
from drillbook.replicas.desired_state import DesiredState
from drillbook.replicas.replica import Replica
from drillbook.reports import runbook
from drillbook.scenarios import REGISTRY as SCENARIOS
from drillbook.scenarios.base import Fault, Scenario

HEALTH_PROBE = "health"
DATABASE_PROBE = "database"
POLL_S = 0.1


@dataclass(frozen=True)
class Status:
    phase: str
    elapsed_s: float
    requests: int
    """Load requests that ended in the last few seconds."""
    success_rate: float | None
    mean_latency_ms: float | None
    alerts: tuple[str, ...]


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


def resolve_plugins(spec: DrillSpec) -> tuple[Scenario, Procedure | None]:
    """Find the scenario and procedure and check their arguments: nothing is touched."""
    scenario = SCENARIOS.get(spec.model.scenario.name)
    check_arguments(
        "scenario",
        scenario.name,
        scenario.inject,
        1,
        spec.model.scenario.with_,
        lambda param: spec.locate("scenario", "with", param),
    )
    scenario.check(spec.target, **spec.model.scenario.with_)
    procedure = None
    if spec.model.recovery is not None:
        procedure = PROCEDURES.get(spec.model.recovery.name)
        section = "recovery" if "recovery" in spec.raw else "compare"
        check_arguments(
            "recovery procedure",
            procedure.name,
            procedure.options,
            0,
            spec.model.recovery.with_,
            lambda param: spec.locate(section, "with", param) if section == "recovery" else spec.locate(section),
        )
        procedure.check(spec.target, procedure.options(**spec.model.recovery.with_))
    return scenario, procedure


class DrillRunner:
    def __init__(
        self,
        spec: DrillSpec,
        out_dir: pathlib.Path,
        progress: Callable[[Event], object] = lambda _e: None,
        *,
        allow_remote: bool = False,
    ) -> None:
        self.allow_remote = allow_remote
        self.spec = spec
        self.progress = progress
        self.out_dir = out_dir
        self.drill_id = f"{spec.name[:40]}-{secrets.token_hex(4)}"
        self.state = DrillState.PENDING
        self.scenario, self.procedure = resolve_plugins(spec)
        self.clock = Clock()
        self.timeline = Timeline(self.clock)
        self.journal: Journal
        self.document: dict[str, Any] = {}
        self.result_path: pathlib.Path | None = None
        self.replica: Replica | None = None
        self.load: LoadProcess | None = None
        self.probes: ProbeRunner | None = None
        self.memory: MemorySampler | None = None
        self.fault: Fault | None = None
        self.injected_at: float | None = None
        self.hold_until: float | None = None
        self._revert_recorded = False
        self.detected_at: float | None = None
        self.steps: list[StepResult] = []
        self.figures: dict[str, float] = {}
        self.desired: DesiredState
        self.checks: list[Check] = []
        self.lost: list[LostWrite] | None = None
        self.observed_until: float | None = None
        """The end of verification: what happens after it (the load stopping) is not measured."""
        self.masker = Masker.for_target(spec.target)
        self.diagnostics: Background | None = None
        self.desired_source: tuple[str, str] | None = None
        self.fired_rules: list[str] = []
        self.engineer_name: str | None = None
        """Who recovered by hand (a rehearsal); None: the harness ran the procedure."""
        self.score: Score | None = None
        """The team's desired-state repository and the commit the drill started from."""

    # --- the drill ------------------------------------------------------------

    def run(self) -> DrillResult:
        """Run every phase, write the result, and return it, also for a failed or
        interrupted drill.

        Errors before anything is started (no engine, a missing image) are raised,
        so that bad input never leaves a result behind.
        """
        client = engine.connect()
        params = dict(self.spec.model.scenario.with_)
        needed = (*self.spec.target.images, *self.scenario.images(self.spec.target, **params))
        images.ensure(client, dict.fromkeys(needed), lambda m: self.progress_line(f"images: {m}"))
        self.desired = self._desired_state()
        docker_version = str(client.version().get("Version", "unknown"))
        dead = [d for d in cleanup.survey(client) if not d.alive]
        if dead:
            self.progress_line(
                f"warning: {len(dead)} dead drill(s) left objects behind ({', '.join(d.drill_id for d in dead)}); "
                "`drillbook cleanup` removes them"
            )
        self.journal = Journal(self.out_dir / JOURNAL_FILE, self.masker.document(self._header()))
        self.clock = Clock()
        self.timeline = Timeline(self.clock, self._journal_event, self._progress_event)
        teardown = Teardown(self.timeline.record)
        verdict: Verdict | None = None
        error: str | None = None
        with Interrupts(lambda line: self.timeline.record(EventKind.SIGNAL, line)) as interrupts:
            try:
                self._phases(client, teardown)
            except KeyboardInterrupt as exc:
                verdict = "interrupted"
                undone = "the fault was reverted and " if self.fault is not None else "no fault was in place; "
                error = f"Interrupted by {str(exc) or 'SIGINT'} while {self.state.value}: {undone}the replica was "
                error += "torn down."
            except DrillbookError as exc:
                verdict, error = "error", str(exc)
            finally:
                self._teardown(teardown, interrupts)
            if error is not None:
                self.timeline.record(EventKind.INTERRUPTED if verdict == "interrupted" else EventKind.ERROR, error)
            with interrupts.shielded():
                self._enter(DrillState.DONE)
                result = self._result(verdict, error, docker_version)
                self._write(result)
        return result

    def _teardown(self, teardown: Teardown, interrupts: Interrupts) -> None:
        """Always runs to its end: a signal landing just before the shield only restarts it."""
        while True:
            try:
                with interrupts.shielded():
                    if self.state is not DrillState.TEARING_DOWN:
                        self._enter(DrillState.TEARING_DOWN)
                    teardown.run(lambda: interrupts.skip_to_teardown)
                return
            except KeyboardInterrupt:
                continue

    def _header(self) -> dict[str, Any]:
        m = self.spec.model
        return {
            "drill": self.spec.name,
            "drill_id": self.drill_id,
            "started_at": self.clock.wall(0.0),
            "time_scale": m.alerts.time_scale,
            "tier": m.objectives.tier,
            "target": self.spec.target.name,
            "scenario": self.scenario.describe(dict(m.scenario.with_)),
            "recovery": self.procedure.name if self.procedure else None,
            "pid": os.getpid(),
        }

    def _journal_event(self, event: Event) -> None:
        self.journal.event(replace(event, detail=self.masker.text(event.detail)))

    def _progress_event(self, event: Event) -> None:
        self.progress(replace(event, detail=self.masker.text(event.detail)))

    def progress_line(self, line: str) -> None:
        self.progress(Event(0.0, self.clock.wall(0.0), EventKind.SETUP, line))

    def _write(self, result: DrillResult) -> None:
        document = self.masker.document(to_document(result))
        self.result_path = write_document(document, self.out_dir)
        for filename, text in reports.render_all(document).items():
            (self.out_dir / filename).write_text(text)
        self.journal.close(result.verdict)
        self.document = document

    def _phases(self, client: DockerClient, teardown: Teardown) -> None:
        spec, m = self.spec, self.spec.model
        self._enter(DrillState.PROVISIONING)
        self.replica = Replica(client, spec.target, self.drill_id, self.timeline.record, self.desired)
        head = self.desired.head()
        self.timeline.record(EventKind.GIT, f"desired state at {head.short} ({head.message}) in {self.desired.path}")
        teardown.push("remove the replica", self.replica.teardown, essential=True)
        self.load = LoadProcess(
            locustfile=spec.target.locustfile,
            host=self.replica.url(),
            users=m.load.users,
            rate=m.load.rate,
            timeout_s=m.load.timeout_s,
            write_flows=spec.target.write_flows,
            out=self.out_dir / "load",
            max_seconds=self._cap_s(),
        )
        self._guard(self.replica.url())
        teardown.push("stop the load", self.load.stop, essential=True)
        self.load.spawn()
        self.replica.start()
        self.load.start()
        self.timeline.record(EventKind.LOAD, f"{m.load.users} users at {m.load.rate:g} req/s on {self.replica.url()}")
        probes = self._probe_list()
        for probe in probes:
            self._guard(probe.address())
        self.probes = ProbeRunner(probes, m.probes.interval_s, m.probes.timeout_s, self.clock.now)
        teardown.push("stop the probes", self.probes.stop, essential=True)
        self.probes.start()
        self.memory = MemorySampler(self.replica, m.probes.memory_interval_s, self.clock.now, self.timeline.record)
        teardown.push("stop memory sampling", self.memory.stop, essential=True)
        self.memory.start()
        self.diagnostics = Background(Gatherer(self.replica, m.alerts.time_scale, self.clock.now), self.timeline.record)

        if m.phases.warmup_s:
            self._enter(DrillState.WARMING_UP)
            warm_from = self.clock.now()
            self._wait(lambda: self.clock.now() - warm_from >= m.phases.warmup_s, None)
        self._enter(DrillState.STEADY_STATE)
        steady_from = self.clock.now()
        self._wait(lambda: self.clock.now() - steady_from >= m.phases.steady_state_s, None)
        self._check_steady_state(steady_from)

        self._enter(DrillState.INJECTING)
        params = dict(m.scenario.with_)
        injection = self.scenario.inject(self.replica, **params)
        self.fault = teardown.enter("revert the fault", injection, essential=False, around=self._revert)
        began = self.fault.began
        self.injected_at = self.clock.now() if began is None else self.clock.from_monotonic(began)
        self.timeline.record(EventKind.FAULT, f"injected {self.scenario.describe(params)}: {self.fault.description}")
        if m.scenario.hold_s is not None:
            self.hold_until = self.injected_at + m.scenario.hold_s

        self._enter(DrillState.DETECTING)
        self._wait(lambda: self._alerts() != [], m.phases.detect_timeout_s)
        fired = self._alerts()
        if fired:
            self.detected_at = fired[0].fired_at
            self.timeline.record(EventKind.ALERT, f"{fired[0].rule} fired ({fired[0].severity})", fired[0].fired_at)
            self.diagnostics.take("first alert")
        else:
            self.timeline.record(EventKind.ALERT, f"no alert rule fired within {m.phases.detect_timeout_s:g} s")
            self.diagnostics.take("end of detection, no alert")

        self._recovery_phase()

        self._enter(DrillState.VERIFYING)
        verify_from = self.clock.now()
        self._wait(
            lambda: self._recovered() is not None or self._no_disruption(),
            m.phases.recover_timeout_s + m.phases.verify_window_s,
        )
        if self._recovered() is None and not self._no_disruption():
            self.timeline.record(
                EventKind.VERIFY, f"not recovered {self.clock.now() - verify_from:.1f} s into verification"
            )
        else:
            self.observed_until = self.clock.now() - m.probes.timeout_s
            self.diagnostics.take("after recovery")
            self.diagnostics.wait()
        self._stop_traffic()
        self._data_check()

    def _recovery_phase(self) -> None:
        """The drill's procedure, run by the harness; a rehearsal hands over to a person here."""
        if self.procedure is not None:
            self._enter(DrillState.RECOVERING)
            self._recover(self.procedure)

    def _revert(self, close: Callable[[], object]) -> None:
        """Undo the fault through its own context manager's exit, once it is in place."""
        if self.fault is None:
            return
        did = not self.fault.reverted
        close()
        if not did and not self._revert_recorded and self.fault.reverted_at is not None:
            at = self.clock.from_monotonic(self.fault.reverted_at)
            self.timeline.record(EventKind.FAULT, f"ended by itself: {self.fault.revert_detail or 'reverted'}", at)
            return
        what = self.fault.revert_detail if did else "already reverted"
        self.timeline.record(EventKind.FAULT, f"reverted at teardown: {what or 'nothing left to undo'}")

    def _figure(self, name: str, value: float) -> None:
        self.figures[name] = round(value, 4)
        self.timeline.record(EventKind.MEASURE, f"{name} = {value:.2f}")

    def _desired_state(self) -> DesiredState:
        """The drill's own desired-state repository: a fresh one from the target, or a
        clone of the team's (checked first: no uncommitted changes, no detached HEAD)."""
        path = self.out_dir / "desired-state"
        if path.exists():
            shutil.rmtree(path)
        source = self.spec.target.desired_state_repo
        if source is None:
            return DesiredState.create(path, self.spec.target, self.spec.name)
        local = (self.spec.path.parent / source) if "://" not in source else None
        if local is not None and local.exists():
            DesiredState(local, self.spec.target)  # refuses a dirty tree or a detached HEAD
            source = str(local.resolve())
        desired = DesiredState.clone(source, path, self.spec.target)
        self.desired_source = (source, desired.head().sha)
        return desired

    def _guard(self, target: str) -> None:
        require_loopback(target, in_spec=self.spec.model.allow_remote, confirmed=self.allow_remote)

    def _enter(self, state: DrillState) -> None:
        self.state = state
        self.timeline.record(EventKind.PHASE, state.value)

    # --- observation ------------------------------------------------------------

    def _probe_list(self) -> tuple[Probe, ...]:
        assert self.replica is not None
        base, target = self.replica.url(), self.spec.target
        probes = [Probe(HEALTH_PROBE, "http", base + target.health)]
        probes += [Probe(f.name, "http", base + f.path, f.method, f.body) for f in target.key_flows]
        replica, timeout_s = self.replica, self.spec.model.probes.timeout_s
        probes.append(Probe(DATABASE_PROBE, "postgres", lambda: replica.db_conninfo(timeout_s)))
        return tuple(probes)

    def samples(self) -> list[Sample]:
        probe = list(self.probes.samples) if self.probes else []
        load: list[Sample] = []
        if self.load is not None:
            self.load.poll()
            load = [
                Sample(
                    "load",
                    r.name,
                    self.clock.from_monotonic(r.start),
                    self.clock.from_monotonic(r.end),
                    r.ok,
                    r.status,
                    r.error,
                )
                for r in self.load.requests
            ]
        return probe + load

    def memory_samples(self) -> list[MemorySample]:
        return list(self.memory.samples) if self.memory else []

    def status(self, window_s: float = 5.0) -> Status:
        """What the live view shows; safe to call from another thread (reads, never polls)."""
        now = self.clock.now()
        recent = [
            r
            for r in (self.load.requests if self.load else [])[-2000:]
            if now - self.clock.from_monotonic(r.end) <= window_s
        ]
        ok = sum(r.ok for r in recent)
        return Status(
            phase=self.state.value,
            elapsed_s=now if self.state is not DrillState.PENDING else 0.0,
            requests=len(recent),
            success_rate=ok / len(recent) if recent else None,
            mean_latency_ms=(sum(1000 * (r.end - r.start) for r in recent) / len(recent)) if recent else None,
            alerts=tuple(self.fired_rules),
        )

    def _alerts(self) -> list[alert_rules.Alert]:
        if self.injected_at is None:
            return []
        fired = self._evaluate_alerts()
        self.fired_rules = [a.rule for a in fired]
        return fired

    def _evaluate_alerts(self) -> list[alert_rules.Alert]:
        assert self.injected_at is not None
        return alert_rules.evaluate(
            self.samples(),
            health_probe=HEALTH_PROBE,
            database_probe=DATABASE_PROBE,
            time_scale=self.spec.model.alerts.time_scale,
            memory=self.memory_samples(),
            since=self.injected_at,
            until=self.clock.now(),
            windows=self.spec.model.alerts.windows_s,
        )

    def _required_probes(self) -> tuple[str, ...]:
        return (HEALTH_PROBE, DATABASE_PROBE, *(f.name for f in self.spec.target.key_flows))

    def _recovered(self) -> float | None:
        assert self.injected_at is not None
        samples = self.samples()
        disrupted = measure.disrupted_at(samples, self.injected_at)
        if disrupted is None:
            return None
        return measure.outages(
            samples,
            disrupted_at=disrupted,
            verify_window_s=self.spec.model.phases.verify_window_s,
            max_error_rate=self.spec.model.verify.max_error_rate,
            required_probes=self._required_probes(),
            observed_until=self.clock.now() - self.spec.model.probes.timeout_s,
        )[-1].end

    def _no_disruption(self) -> bool:
        """No failure at all a whole verification window after the fault: nothing to wait for."""
        assert self.injected_at is not None
        quiet = self.clock.now() - self.injected_at >= self.spec.model.phases.verify_window_s * 2
        return quiet and measure.disrupted_at(self.samples(), self.injected_at) is None

    def _wait(self, done: Callable[[], bool], timeout_s: float | None) -> bool:
        """Poll until `done`, reverting a held fault on time and honouring the drill's cap."""
        started = self.clock.now()
        while True:
            cap = self._cap_s()
            held = self.hold_until is not None and self.clock.now() >= self.hold_until
            if held and self.fault is not None and self.fault.revert():
                self._revert_recorded = True
                self.timeline.record(EventKind.FAULT, f"reverted after its hold time: {self.fault.revert_detail}")
            if done():
                return True
            now = self.clock.now()
            if timeout_s is not None and now - started >= timeout_s:
                return False
            if now >= cap:
                raise DrillTimeout(
                    f"The drill ran past its maximum duration ({cap:g} s, phases.max_duration_s) "
                    f"while {self.state.value}; it was stopped and torn down. Raise the cap or "
                    "shorten the phases."
                )
            time.sleep(POLL_S)

    def _cap_s(self) -> float:
        return self.spec.model.phases.max_duration_s

    def _check_steady_state(self, since: float) -> None:
        m = self.spec.model.steady_state
        samples = self.samples()
        judged = steady.judge(
            [s for s in samples if s.at >= since],
            self._required_probes(),
            steady.Bounds(m.max_error_rate, m.max_mean_latency_ms),
            write_flows=self.spec.target.write_flows,
            load_so_far=[s for s in samples if s.source == "load"],
            writes=self.load.writes if self.load else (),
            misses=self.load.misses if self.load else (),
        )
        self.checks.append(Check("steady_state", judged.ok, judged.detail))
        self.timeline.record(EventKind.STEADY_STATE, ("held: " if judged.ok else "failed: ") + judged.detail)
        if judged.unproven:
            raise SteadyStateError(
                "The drill stopped before any fault: its write flows cannot be proven, so it could only "
                "pass with no acknowledged write checked.\n" + "\n".join(judged.unproven)
            )
        if not judged.ok:
            raise SteadyStateError(
                f"The steady state did not hold before any fault ({judged.detail}), so the drill would "
                "prove nothing and stopped here. Check the target's health and the load rate (load.rate, "
                "steady_state.* in the drill file); a service whose first requests are slow needs "
                "phases.warmup_s."
            )

    # --- recovery and data ----------------------------------------------------------

    def _recover(self, procedure: Procedure) -> None:
        assert self.replica is not None and self.spec.model.recovery is not None
        options = procedure.options(**self.spec.model.recovery.with_)
        ctx = StepContext(
            self.replica,
            options,
            lambda line: self.timeline.record(EventKind.RECOVERY, line),
            figure=self._figure,
            clock=self.clock.now,
            injected_wall=None if self.injected_at is None else self.clock.wall_origin.timestamp() + self.injected_at,
            fault_lsn=None if self.fault is None else self.fault.lsn,
        )
        for step in procedure.steps:
            started = self.clock.now()
            ok, detail = False, ""
            try:
                detail = step.run(ctx) or "done"
                ok = True
            except (RecoveryStepFailed, DrillbookError) as exc:
                detail = str(exc)
            except (psycopg.Error, docker.errors.DockerException, httpx.HTTPError, OSError) as exc:
                # What the database, the engine or the service said when the step met them: the
                # step failed (as it would by hand), the drill goes on to its verdict.
                detail = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            finally:
                finished = self.clock.now()
                self.steps.append(StepResult(step.name, started, finished, ok, detail))
                self.timeline.record(
                    EventKind.RECOVERY_STEP, f"{step.name}: {'ok' if ok else 'FAILED'} ({detail})", finished
                )
            if not ok:
                break

    def _stop_traffic(self) -> None:
        if self.probes is not None:
            self.probes.stop()
        if self.load is not None:
            self.load.stop()
            self.timeline.record(
                EventKind.LOAD,
                f"stopped: {len(self.load.requests)} requests, {len(self.load.writes)} acknowledged writes",
            )

    def _data_check(self) -> None:
        assert self.replica is not None and self.load is not None
        self._enter(DrillState.MEASURING)
        writes = [replace(w, acked_at=self.clock.from_monotonic(w.acked_at)) for w in self.load.writes]
        try:
            self.lost = datacheck.reconcile(
                self.replica.db_conninfo(), self.spec.target.data_check_sql, writes, self.spec.target.write_flows
            )
        except datacheck.DataCheckContractError as exc:
            self.lost = None
            self.checks.append(Check("data_check", False, str(exc)))
            self.timeline.record(EventKind.DATA_CHECK, f"refused: {exc}")
            return
        except Exception as exc:  # the database may never have come back: record, don't crash
            self.lost = None
            self.checks.append(Check("data_check", False, f"could not query the database: {exc}"))
            self.timeline.record(EventKind.DATA_CHECK, f"could not run: {exc}")
            return
        # Writes lost from before the fault are what the RPO objective judges (a restore from
        # a backup loses them by design); one acknowledged after the fault must never be lost.
        after = measure.lost_after(self.lost, self.injected_at)
        ok = not after
        detail = f"{len(writes)} acknowledged writes, {len(self.lost)} lost"
        if self.lost:
            detail += f" ({len(after)} of them acknowledged after the fault)"
            changed = next((w for w in self.lost if w.reason == "changed"), None)
            if changed is not None:
                detail += f"; write {changed.id} differs in {changed.detail.removeprefix('field ')}"
        self.checks.append(Check("data_check", ok, detail))
        self.timeline.record(
            EventKind.DATA_CHECK, f"{len(writes)} acknowledged writes checked by SQL, {len(self.lost)} lost"
        )

    # --- the result -----------------------------------------------------------

    def _result(self, verdict: Verdict | None, error: str | None, docker_version: str) -> DrillResult:
        m = self.spec.model
        samples = self.samples()
        observed_until = max((s.end for s in samples), default=self.clock.now())
        if self.observed_until is not None:
            observed_until = min(observed_until, self.observed_until)
        fired = tuple(self._alerts())
        figures = measure.measure(
            samples=samples,
            injected_at=self.injected_at,
            detected_at=self.detected_at,
            verify_window_s=m.phases.verify_window_s,
            max_error_rate=m.verify.max_error_rate,
            required_probes=self._required_probes(),
            observed_until=observed_until,
            acked_writes=len(self.load.writes) if self.load else 0,
            lost=self.lost,
        )
        judged = objectives.judge(m.objectives.tier, figures, m.objectives.rto_s, m.objectives.rpo_s)
        snapshots = tuple(self.diagnostics.wait(timeout_s=5.0)) if self.diagnostics else ()
        self._escalation_events(fired, figures, observed_until)
        checks = list(self.checks)
        if self.injected_at is not None and verdict is None:
            checks += self._outcome_checks(figures, fired)
        if verdict is None:
            all_ok = all(o.met for o in judged) and all(c.ok for c in checks)
            verdict = "passed" if all_ok else "failed"
        return DrillResult(
            drill=self.spec.name,
            drill_id=self.drill_id,
            verdict=verdict,
            error=error,
            started_wall=self.clock.wall(0.0),
            duration_s=self.clock.now(),
            time_scale=m.alerts.time_scale,
            tier=m.objectives.tier,
            target=self.spec.target.name,
            scenario=self.scenario.describe(dict(m.scenario.with_)),
            recovery=self.procedure.name if self.procedure else None,
            measurements=figures,
            objectives=judged,
            checks=tuple(checks),
            alerts=fired,
            recovery_steps=tuple(self.steps),
            timeline=tuple(self.timeline.ordered()),
            samples=tuple(samples),
            memory=tuple(self.memory_samples()),
            continuity=self.spec.target.continuity,
            lost=tuple(self.lost or ()),
            spec=self.spec.raw,
            environment=environment(docker_version),
            figures=dict(self.figures),
            git_log=tuple((c.sha, c.message) for c in reversed(self.desired.log())),
            desired_state=str(self.desired.path),
            diagnostics=snapshots,
            desired_source=self.desired_source,
            engineer=self.engineer_name,
            rehearsal=self.score,
            verification=tuple(self._verification(samples, figures, snapshots, observed_until)),
            findings=tuple(self._findings(samples)),
            deploy=self.spec.target.deploy,
            replacements=tuple(
                replace(
                    r,
                    stopped_at=None if r.stopped_at is None else self.clock.from_monotonic(r.stopped_at),
                    ready_at=None if r.ready_at is None else self.clock.from_monotonic(r.ready_at),
                )
                for r in (self.replica.replacements if self.replica else ())
            ),
        )

    def _findings(self, samples: list[Sample]) -> list[str]:
        target = self.spec.target
        killed = self.memory.oom_killed if self.memory else []
        return findings.oom(killed, {s.name: s.mem_limit for s in target.services}) + findings.health_blind_to_database(
            samples,
            health_probe=HEALTH_PROBE,
            database_probe=DATABASE_PROBE,
            health_path=target.health,
            key_flows=[f.name for f in target.key_flows],
            write_flows=[w.name for w in target.write_flows],
        )

    def _escalation_events(
        self, fired: tuple[alert_rules.Alert, ...], figures: Measurements, observed_until: float
    ) -> None:
        """Who would hold the incident, and from when, under the runbook's escalation rules."""
        severity = min((a.severity for a in fired), default=None)
        until = figures.recovered_at if figures.recovered_at is not None else observed_until
        scale = self.spec.model.alerts.time_scale
        for level in runbook.escalation(severity, figures.detected_at, until, scale):
            if level.reached:
                self.timeline.record(
                    EventKind.ESCALATION,
                    f"Level {level.level}: {level.name} holds the incident ({severity})",
                    level.due_at,
                )

    def _verification(
        self,
        samples: list[Sample],
        figures: Measurements,
        snapshots: tuple[Snapshot, ...],
        observed_until: float,
    ) -> list[verification.Item]:
        if figures.injected_at is None:
            return []
        m, target = self.spec.model, self.spec.target
        after = [s for s in snapshots if s.label == "after recovery"]
        metrics = [sec for snap in after for sec in snap.sections if sec.name == "metrics"]
        metrics_status = (metrics[0].reason if metrics[0].available else "unreachable") if metrics else None
        return verification.checklist(
            samples,
            verification.window(figures.recovered_at, figures.disrupted_at, figures.injected_at, observed_until),
            health_probe=HEALTH_PROBE,
            key_flows=[f.name for f in target.key_flows],
            write_flows=[w.name for w in target.write_flows],
            metrics_status=metrics_status,
            max_error_rate=m.verify.max_error_rate,
            max_mean_latency_ms=m.steady_state.max_mean_latency_ms,
            alerts_since=lambda since: [
                a.rule
                for a in alert_rules.evaluate(
                    samples,
                    health_probe=HEALTH_PROBE,
                    database_probe=DATABASE_PROBE,
                    time_scale=m.alerts.time_scale,
                    memory=self.memory_samples(),
                    since=since,
                    until=observed_until,
                    windows=m.alerts.windows_s,
                )
            ],
        )

    def _outcome_checks(self, figures: Measurements, fired: tuple[alert_rules.Alert, ...]) -> list[Check]:
        names = {a.rule for a in fired}
        expected = [a for a in self.scenario.expected_alerts if a in names]
        calm = figures.disrupted_at is None
        if calm:
            recovery = "no disruption"
        elif figures.recovered_at is None:
            recovery = "never recovered"
        else:
            recovery = f"recovered at {figures.recovered_at:.2f} s"
        checks = [
            Check(
                "detected",
                figures.detected_at is not None or calm,
                "first alert: " + (fired[0].rule if fired else "none"),
            ),
            Check(
                "expected_alert",
                bool(expected) or calm,
                f"expected one of {', '.join(self.scenario.expected_alerts)}; "
                f"fired: {', '.join(sorted(names)) or 'none'}",
            ),
            Check("recovered", calm or figures.recovered_at is not None, recovery),
        ]
        if self.steps:
            failed = [s.name for s in self.steps if not s.ok]
            detail = f"failed: {', '.join(failed)}" if failed else "all steps ok"
            checks.append(Check("recovery_steps", not failed, detail))
        if self.spec.target.write_flows and not figures.acked_writes:
            declared = ", ".join(repr(w.name) for w in self.spec.target.write_flows)
            checks.append(
                Check(
                    "writes_proven",
                    False,
                    f"the target declares write flows ({declared}) and the ledger recorded no acknowledged write: "
                    "the data check proved nothing",
                )
            )
        if figures.lost_after_injection:
            checks.append(
                Check(
                    "no_loss_after_injection",
                    False,
                    f"{figures.lost_after_injection} writes acknowledged after the fault were lost",
                )
            )
        return checks
