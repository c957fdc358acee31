"""The harness: the phases of docs/design.md on one timeline, teardown in every outcome.

provision -> steady state -> inject -> detect -> recover -> verify
          -> measure and report, and always teardown

The runner sequences the phases (`drills/run/phases/`) over one state
(`drills/run/state.py`) and turns their outcome into the result; it does none
of their work itself.
"""

from __future__ import annotations

import os
import pathlib
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from docker import DockerClient

from drillbook import reports
from drillbook.contract import JOURNAL_FILE, EventKind
from drillbook.drills import resolve
from drillbook.drills.result import Check, DrillResult, Verdict, to_document
from drillbook.drills.result import write as write_document
from drillbook.drills.run import watch
from drillbook.drills.run.journal import Journal
from drillbook.drills.run.masking import Masker
from drillbook.drills.run.phases import conclude, inject, measure, provision, steady, verify
from drillbook.drills.run.phases.recover import Automatic, Recovery
from drillbook.drills.run.signals import Interrupts
from drillbook.drills.run.state import Drill, DrillState
from drillbook.drills.run.teardown import Teardown
from drillbook.drills.run.timeline import Clock, Event, Timeline
from drillbook.drills.run.watch import Status
from drillbook.drills.spec import DrillSpec
from drillbook.errors import DrillbookError
from drillbook.replicas import cleanup, engine, images
from drillbook.replicas.cluster.state import ClusterState
from drillbook.replicas.protocols import ReplicaAPI

__all__ = ["DrillRunner", "DrillState", "Status"]


class DrillRunner:
    def __init__(
        self,
        spec: DrillSpec,
        out_dir: pathlib.Path,
        progress: Callable[[Event], object] = lambda _e: None,
        *,
        allow_remote: bool = False,
        recovery: Recovery | None = None,
        lent_cluster: ClusterState | None = None,
    ) -> None:
        """`lent_cluster`: a local cluster a swarm drill runs on instead of forming its own, and
        leaves as it found it (`replicas/cluster/lent.py`): drills of one size sharing one."""
        self.allow_remote = allow_remote
        self.progress = progress
        self.recovery: Recovery = recovery or Automatic()
        scenario, procedure = resolve.plugins(spec)
        self.drill = Drill(
            spec=spec,
            out_dir=out_dir,
            drill_id=f"{spec.name[:40]}-{secrets.token_hex(4)}",
            scenario=scenario,
            procedure=procedure,
            masker=Masker.for_target(spec.target),
            cap_s=spec.model.phases.max_duration_s,
        )
        self.drill.monitoring_plan = resolve.planned(spec, scenario)
        self.drill.cap_s += self.recovery.extra_s(self.drill)
        self.drill.engineer = self.recovery.engineer
        self.drill.lent_cluster = lent_cluster
        self.journal: Journal
        self.document: dict[str, Any] = {}
        self.result_path: pathlib.Path | None = None

    @property
    def drill_id(self) -> str:
        return self.drill.drill_id

    @property
    def replica(self) -> ReplicaAPI | None:
        return self.drill.replica

    def status(self) -> Status:
        return watch.status(self.drill)

    def run(self) -> DrillResult:
        """Run every phase, write the result, and return it, also for a failed or
        interrupted drill.

        Errors before anything is started (no engine, a missing image) are raised,
        so that bad input never leaves a result behind.
        """
        drill = self.drill
        client = engine.connect()
        needed = resolve.needed_images(drill.spec, drill.scenario)
        images.ensure(client, dict.fromkeys(needed), lambda m: self._say(f"images: {m}"), drill.spec.target.builds)
        drill.desired = provision.desired_state(drill)
        docker_version = str(client.version().get("Version", "unknown"))
        dead = [d for d in cleanup.survey(client) if not d.alive]
        if dead:
            self._say(
                f"warning: {len(dead)} dead drill(s) left objects behind ({', '.join(d.drill_id for d in dead)}); "
                "`drillbook cleanup` removes them"
            )
        self.journal = Journal(drill.out_dir / JOURNAL_FILE, drill.masker.document(self._header()))
        drill.clock = Clock()
        drill.timeline = Timeline(drill.clock, self._journal_event, self._progress_event)
        teardown = Teardown(drill.timeline.record)
        verdict: Verdict | None = None
        error: str | None = None
        with Interrupts(lambda line: drill.timeline.record(EventKind.SIGNAL, line)) as interrupts:
            try:
                self._phases(client, teardown)
            except KeyboardInterrupt as exc:
                verdict = "interrupted"
                undone = "the fault was reverted and " if drill.fault is not None else "no fault was in place; "
                error = f"Interrupted by {str(exc) or 'SIGINT'} while {drill.phase.value}: {undone}the replica was "
                error += "torn down."
            except DrillbookError as exc:
                verdict, error = "error", str(exc)
            finally:
                left_behind = self._teardown(teardown, interrupts)
            if left_behind:  # a drill that left something behind does not pass, whatever it measured
                left = "; ".join(left_behind)
                detail = f"not everything was undone ({left}): `drillbook cleanup` removes it by its labels"
                drill.checks.append(Check("teardown", False, detail))
            if error is not None:
                drill.timeline.record(EventKind.INTERRUPTED if verdict == "interrupted" else EventKind.ERROR, error)
            with interrupts.shielded():
                drill.enter(DrillState.DONE)
                result = conclude.result(drill, verdict, error, docker_version)
                self._write(result)
        return result

    def _phases(self, client: DockerClient, teardown: Teardown) -> None:
        drill = self.drill
        provision.provision(drill, client, teardown, self.allow_remote)
        inject.ready(drill)
        steady.warm_up(drill)
        steady.steady_state(drill)
        inject.inject(drill, teardown)
        inject.detect(drill)
        self.recovery.recover(drill)
        verify.verify(drill)
        measure.data_check(drill)

    def _teardown(self, teardown: Teardown, interrupts: Interrupts) -> list[str]:
        """Always runs to its end: a signal landing just before the shield only restarts it.
        What failed to be undone, each already on the timeline."""
        failures: list[str] = []
        while True:
            try:
                with interrupts.shielded():
                    if self.drill.phase is not DrillState.TEARING_DOWN:
                        self.drill.enter(DrillState.TEARING_DOWN)
                    failures += teardown.run(lambda: interrupts.skip_to_teardown)
                return failures
            except KeyboardInterrupt:
                continue

    def _header(self) -> dict[str, Any]:
        drill, m = self.drill, self.drill.spec.model
        return {
            "drill": drill.spec.name,
            "drill_id": drill.drill_id,
            "started_at": drill.clock.wall(0.0),
            "time_scale": m.alerts.time_scale,
            "tier": m.objectives.tier,
            "target": drill.spec.target.name,
            "scenario": drill.scenario.describe(dict(m.scenario.with_)),
            "recovery": drill.procedure.name if drill.procedure else None,
            "pid": os.getpid(),
        }

    def _journal_event(self, event: Event) -> None:
        self.journal.event(replace(event, detail=self.drill.masker.text(event.detail)))

    def _progress_event(self, event: Event) -> None:
        self.progress(replace(event, detail=self.drill.masker.text(event.detail)))

    def _say(self, line: str) -> None:
        self.progress(Event(0.0, self.drill.clock.wall(0.0), EventKind.SETUP, line))

    def _write(self, result: DrillResult) -> None:
        document = self.drill.masker.document(to_document(result))
        document["masked"] = self.drill.masker.masked
        self.result_path = write_document(document, self.drill.out_dir)
        for filename, text in reports.render_all(document).items():
            (self.drill.out_dir / filename).write_text(text)
        self.journal.close(result.verdict)
        self.document = document
