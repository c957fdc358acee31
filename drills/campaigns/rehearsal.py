"""Rehearsal: the harness breaks the replica, then hands the incident to a person.

Everything up to detection is a normal drill. Then the engineer gets the
alert in the runbook's template, the procedure for this fault as a checklist,
and how to reach the replica; they recover by hand with their own git, docker
and psql, and type short commands here (acknowledge, tick a step, ask for a
hint, reconcile). The harness detects the recovery by itself, exactly as in a
drill, and scores it. Past `timeout_s` it recovers on its own and says so.
"""

from __future__ import annotations

import queue
import string
from collections.abc import Callable
from typing import Any

from drillbook.contract import EventKind
from drillbook.drills.judge import objectives
from drillbook.drills.judge.score import ChecklistItem, Score
from drillbook.drills.observe import diagnostics
from drillbook.drills.run import watch
from drillbook.drills.run.phases.recover import run_procedure
from drillbook.drills.run.state import Drill, DrillState
from drillbook.recovery import REGISTRY as PROCEDURES
from drillbook.recovery.base import AnyProcedure
from drillbook.replicas.toolbox.network import CONTAINER as TOOLBOX
from drillbook.reports import runbook

HELP = (
    "Commands (type, then Enter):  Enter = acknowledge the alert · N = tick step N done · h = hint · "
    "r = reconcile the replica to the desired state's HEAD · s = status · q = give up (drillbook recovers)"
)


class _Hints(string.Formatter):
    """Fills what is known and leaves any other {placeholder} as written."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "{" + str(key) + "}") if isinstance(key, str) else super().get_value(key, args, kwargs)


class HandOver:
    """The recovery strategy of a rehearsal: a person recovers, drillbook watches and scores."""

    def __init__(
        self,
        *,
        say: Callable[[str], object],
        commands: queue.Queue[str],
        engineer: str,
        timeout_s: float,
    ) -> None:
        self.say = say
        self.commands = commands
        self.engineer = engineer
        self.timeout_s = timeout_s
        self._ticked: dict[int, float] = {}
        self._hinted: set[int] = set()
        self._log: list[tuple[float, str]] = []
        self._acknowledged: float | None = None
        self._gave_up = False
        self._drill: Drill | None = None

    def extra_s(self, drill: Drill) -> float:
        return self.timeout_s + drill.spec.model.phases.recover_timeout_s

    @property
    def drill(self) -> Drill:
        assert self._drill is not None, "the hand-over has not begun"
        return self._drill

    @property
    def checklist_procedure(self) -> AnyProcedure:
        drill = self.drill
        return drill.procedure if drill.procedure is not None else PROCEDURES.get(drill.scenario.expected_recovery)

    # --- the hand-over ----------------------------------------------------------

    def recover(self, drill: Drill) -> None:
        self._drill = drill
        assert drill.desired is not None
        replica = drill.require_replica()
        drill.enter(DrillState.RECOVERING)
        handed_over = drill.clock.now()
        drill.timeline.record(EventKind.REHEARSAL, f"handed over to {self.engineer}")
        self._brief()
        head = handed_over_head = drill.desired.head().sha
        deadline = handed_over + self.timeout_s

        def done() -> bool:
            nonlocal head
            assert drill.desired is not None
            self._take_commands()
            now_head = drill.desired.head()
            if now_head.sha != head:
                head = now_head.sha
                drill.timeline.record(EventKind.GIT, f"{self.engineer} committed {now_head.short} ({now_head.message})")
            if watch.recovered(drill) is not None:
                return True
            return self._gave_up or drill.clock.now() >= deadline

        drill.wait(done, None)
        recovered = watch.recovered(drill)
        if recovered is not None:
            recovered_by = "engineer"
            self._tick_steps("verify", "drillbook saw the verification succeed")
            self.say(f"[bold green]Recovered[/] — drillbook saw a clean verification window from {recovered:.2f} s.")
        else:
            why = "engineer gave up" if self._gave_up else f"timeout ({self.timeout_s:g} s)"
            recovered_by = f"harness: {why}"
            self.say(f"[bold yellow]Taking over[/] ({why}): drillbook recovers with {self.checklist_procedure.name}.")
            drill.timeline.record(EventKind.REHEARSAL, f"drillbook took over: {why}")
            if drill.desired.head().sha != handed_over_head:
                replica.reconcile()  # finish what the engineer committed before the procedure runs
            run_procedure(drill, self.checklist_procedure)
        drill.score = self._score(handed_over, recovered_by)

    def _brief(self) -> None:
        fired = watch.alerts(self.drill)
        severity = min((a.severity for a in fired), default="P3")
        m = self.drill.spec.model.objectives
        rto, _rpo = objectives.targets(m.tier, m.rto_s, m.rpo_s)
        alert = runbook.internal_alert(
            severity=severity,
            service=self.drill.spec.target.name,
            impact=f"{', '.join(a.rule for a in fired) or 'no alert'} — {self.drill.scenario.description}",
            started=self.drill.clock.wall(self.drill.injected_at or 0.0)[:19].replace("T", " ") + " UTC",
            engineer=self.engineer,
            status="Investigating",
            eta=f"within the RTO, {rto:g} s",
        )
        target = self.drill.spec.target
        db = target.database
        self.say("")
        self.say("[bold red]" + alert.replace("[", "\\[") + "[/]")
        self.say("")
        self.say(
            f"[bold]Runbook procedure: {self.checklist_procedure.name}[/] — {self.checklist_procedure.description}"
        )
        for i, step in enumerate(self.checklist_procedure.steps, start=1):
            self.say(f"  [ ] {i}. {step.name}: {step.description}")
        self.say("")
        self._your_alerts()
        snapshot = self.drill.diagnostics.get("first alert", 5.0) if self.drill.diagnostics else None
        if snapshot is not None:
            self.say("[bold]What the runbook's diagnostics show now[/] (in full in the report)")
            for line in diagnostics.brief(snapshot):
                self.say("  " + self.drill.masker.text(line).replace("[", "\\["))
            self.say("")
        self.say("[bold]The replica[/]")
        self.say(f"  desired-state repo: {self._desired_path()}")
        for service in target.services:
            self.say(f"  container {service.name}: {self.drill.require_replica().container_name(service.name)}")
        self.say(
            f"  app: {self.drill.require_replica().url()}   health: {self.drill.require_replica().url()}{target.health}"
        )
        self.say(f"  psql: postgresql://{db.user}:{db.password}@127.0.0.1:{self._db_port()}/{db.dbname}")
        if self.drill.spec.model.runbooks():
            box = self.drill.require_replica().container_name(TOOLBOX)
            self.say(f"  the runbook's commands run in the toolbox: docker exec -it {box} bash")
        self.say("")
        self.say(HELP)
        self.say("[bold]Press Enter to acknowledge the alert.[/]")

    def _your_alerts(self) -> None:
        """The team's own alerts as its Alertmanager delivered them, when the drill has its monitoring."""
        monitor = self.drill.monitor
        if monitor is None:
            return
        firing = monitor.firing_now()
        self.say("[bold]Your alerts[/] (delivered by your Alertmanager; new ones appear below as they arrive)")
        for d in firing:
            labels = ", ".join(f"{k}={v}" for k, v in d.labels if k != "alertname")
            self.say(f"  FIRING {d.name} -> {d.receiver} ({labels})".replace("[", "\\["))
        if not firing:
            self.say("  none has reached on-call yet")
        self.say("")

    def _db_port(self) -> int:
        replica = self.drill.require_replica()
        return replica.ports[replica.database_service]

    def _desired_path(self) -> str:
        return str(self.drill.desired.path) if self.drill.desired else ""

    def _placeholders(self) -> dict[str, str]:
        target, db = self.drill.spec.target, self.drill.spec.target.database
        reset = target.reset_connections
        return {
            "desired_state": self._desired_path(),
            "app_url": self.drill.require_replica().url(),
            "health_url": self.drill.require_replica().url() + target.health,
            "psql": f"postgresql://{db.user}:{db.password}@127.0.0.1:{self._db_port()}/{db.dbname}",
            "db_container": self.drill.require_replica().container_name(db.service),
            "app_container": self.drill.require_replica().container_name(target.app),
            "reset": self.drill.require_replica().url() + reset.path
            if reset
            else "(the target has no pool reset endpoint)",
        }

    def _take_commands(self) -> None:
        while True:
            try:
                raw = self.commands.get_nowait()
            except queue.Empty:
                return
            self._command(raw.strip().lower())

    def _command(self, command: str) -> None:
        now = self.drill.clock.now()
        self._log.append((round(now, 3), command or "enter"))
        if self._acknowledged is None:
            self._acknowledged = now
            self.drill.timeline.record(EventKind.REHEARSAL, f"{self.engineer} acknowledged the alert")
            self.say(f"Acknowledged {now - (self.drill.detected_at or now):.1f} s after the alert. The clock runs.")
            if command == "":
                return
        steps = self.checklist_procedure.steps
        if command.isdigit() and 1 <= int(command) <= len(steps):
            self._ticked.setdefault(int(command), now)
            self.drill.timeline.record(
                EventKind.REHEARSAL, f"{self.engineer} ticked step {command}: {steps[int(command) - 1].name}"
            )
            self.say(self._checklist_text())
        elif command == "h":
            todo = next((i for i in range(1, len(steps) + 1) if i not in self._ticked), None)
            if todo is None:
                self.say("Every step is ticked; drillbook is waiting for a clean verification window.")
                return
            self._hinted.add(todo)
            hint = _Hints().format(steps[todo - 1].hint or steps[todo - 1].description, **self._placeholders())
            self.drill.timeline.record(EventKind.REHEARSAL, f"hint for step {todo}")
            self.say(f"Hint for step {todo} ({steps[todo - 1].name}): {hint}")
        elif command == "r":
            self.drill.timeline.record(EventKind.REHEARSAL, f"{self.engineer} asked for a reconcile")
            self.say("Reconciling the replica to the desired state's HEAD…")
            try:
                changed = self.drill.require_replica().reconcile()
            except Exception as exc:  # a broken commit is the engineer's to fix, not a crash
                self.say(f"[red]Reconcile failed:[/] {exc}")
                self.drill.timeline.record(EventKind.RECONCILE, f"failed: {exc}")
                return
            self.say(f"Reconciled: recreated {', '.join(changed) or 'nothing (already at HEAD)'}.")
            self._tick_steps("reconcile", "drillbook reconciled on `r`")
        elif command == "s":
            status = watch.status(self.drill)
            rate = "—" if status.success_rate is None else f"{status.success_rate:.0%}"
            self.say(f"t={status.elapsed_s:.1f} s · load ok {rate} · alerts: {', '.join(status.alerts) or 'none'}")
            self.say(self._checklist_text())
        elif command == "q":
            self._gave_up = True
        elif command:
            self.say(HELP)

    def _tick_steps(self, word: str, why: str) -> None:
        """Tick the checklist steps that drillbook itself saw done (a reconcile through `r`,
        a verification it watched succeed): the engineer did them, through drillbook."""
        now = self.drill.clock.now()
        for i, step in enumerate(self.checklist_procedure.steps, start=1):
            if step.name.startswith(word) and i not in self._ticked:
                self._ticked[i] = now
                self.drill.timeline.record(EventKind.REHEARSAL, f"step {i} ({step.name}) ticked: {why}")

    def _checklist_text(self) -> str:
        return (
            "\n".join(
                f"  [{'x' if i in self._ticked else ' '}] {i}. {s.name}"
                for i, s in enumerate(self.checklist_procedure.steps, start=1)
            )
            .replace("[x]", "\\[x]")
            .replace("[ ]", "\\[ ]")
        )

    def _score(self, handed_over: float, recovered_by: str) -> Score:
        steps = self.checklist_procedure.steps
        items = tuple(
            ChecklistItem(i, s.name, self._ticked.get(i), i in self._hinted) for i, s in enumerate(steps, start=1)
        )
        detected = self.drill.detected_at
        ack = self._acknowledged
        return Score(
            engineer=self.engineer,
            handed_over_at=round(handed_over, 4),
            acknowledged_at=None if ack is None else round(ack, 4),
            time_to_acknowledge_s=None if ack is None or detected is None else round(ack - detected, 4),
            recovered_by=recovered_by,
            checklist=items,
            skipped=tuple(i.name for i in items if i.ticked_at is None),
            hints=len(self._hinted),
            commands=tuple(self._log),
        )
