"""`drillbook runbook check`: every shell command of a runbook run against the replica, judged.

Each section whose commands run gets a fresh replica with load and no fault,
so one section's changes (an `ALTER SYSTEM` persists in the data volume, a
checkout, a restore) never decide the next one's verdict. Commands run in the
toolbox, never on the host; everything made is torn down, also after Ctrl-C.
A command that worked in the previous check (the history beside the output)
and does not now is a regression: the check exits 1.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from docker import DockerClient

from drillbook.contract import EventKind
from drillbook.drills.observe.load.process import LoadProcess
from drillbook.drills.run.masking import Masker
from drillbook.drills.run.signals import Interrupts
from drillbook.drills.run.teardown import Teardown
from drillbook.errors import DrillbookError, SpecError
from drillbook.recovery.runbook import commands as parse
from drillbook.recovery.runbook.markdown import Runbook, Section
from drillbook.recovery.runbook.session import Session, facts, fill, without_running
from drillbook.recovery.runbook.verdicts import Outcome
from drillbook.replicas import engine, images
from drillbook.replicas.desired_state import DesiredState
from drillbook.replicas.recipes import TOOLBOX_IMAGE
from drillbook.replicas.replica import Replica
from drillbook.replicas.target import Target
from drillbook.replicas.toolbox.network import on_toolbox_network
from drillbook.replicas.toolbox.terminal import open_terminal
from drillbook.runbook_contract import (
    HISTORY_FILE,
    CommandRecord,
    ListedRecord,
    Regression,
    RunbookCheck,
    SectionRecord,
)

Say = Callable[[str], object]


@dataclass(frozen=True)
class Plan:
    runbook: Runbook
    sections: tuple[Section, ...]
    target: Target
    values: Mapping[str, str]
    timeout_s: float


def check_hosts(target: Target, hosts: Mapping[str, str], where: str) -> None:
    names = [s.name for s in target.services]
    for host, service in hosts.items():
        if service not in names:
            raise SpecError(
                f"{where}: host {host!r} is mapped to service {service!r}, which target {target.name!r} does not "
                f"have (it has {', '.join(names)}). Map it to one of those."
            )


def plan(
    runbook: Runbook,
    section: str | None,
    target: Target,
    hosts: Mapping[str, str],
    values: Mapping[str, str],
    timeout_s: float,
) -> Plan:
    """Everything checked before anything starts: the section, its shell blocks, the hosts."""
    chosen = runbook.select(section)
    if not any(b.shell for s in chosen for b in s.blocks):
        where = f"section {section!r}" if section else "the runbook"
        raise SpecError(
            f"{runbook.file}:{chosen[0].line if section else 1}: {where} has no shell block "
            "(```bash, ```sh or an unlabelled fence). Name a section with commands, or add them."
        )
    merged = {**target.hosts, **hosts}
    check_hosts(target, merged, "--host" if hosts else f"target {target.name!r}")
    toolboxed = on_toolbox_network(replace(target, hosts=merged), merged)
    return Plan(runbook, chosen, toolboxed, dict(values), timeout_s)


def run(plan_: Plan, out: pathlib.Path, say: Say, history: pathlib.Path | None = None) -> RunbookCheck:
    client = engine.connect()
    images.ensure(client, dict.fromkeys([*plan_.target.images, TOOLBOX_IMAGE]), lambda m: say(f"images: {m}"))
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    masker = Masker.for_target(plan_.target)
    records: list[SectionRecord] = []
    listed: list[parse.Listed] = []
    with Interrupts(say) as interrupts:
        for section in plan_.sections:
            mine, theirs = parse.of_sections((section,))  # by section, not by title: titles may repeat
            listed += theirs
            if not mine:
                continue
            if not any(c.kind == "command" for c in mine):
                unrun = [without_running(c, plan_.values) for c in mine]
                done = [_record(o) for o in unrun if o is not None]
                records.append(SectionRecord(title=section.title, line=section.line, replica=None, commands=done))
                continue
            say(f"section {section.title!r}: {len(mine)} line(s) on a fresh replica")
            records.append(_section(client, plan_, section, mine, out, say, masker, interrupts))
    document = RunbookCheck(
        runbook=str(plan_.runbook.file),
        target=plan_.target.name,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        hosts=dict(plan_.target.hosts),
        sections=records,
        listed=[
            ListedRecord(section=x.section, line=x.line, language=x.language or "?", lines=x.lines) for x in listed
        ],
        counts=dict(Counter(c.verdict for s in records for c in s.commands)),
        regressions=[],
    )
    return remembered(document, history)


def remembered(document: RunbookCheck, history: pathlib.Path | None) -> RunbookCheck:
    """The check with the commands that worked last time and do not now; the history updated."""
    previous = _previous(history)
    regressions = [
        Regression(section=c.key.split("\n", 1)[0], text=c.text, now=c.verdict, why=c.why)
        for c in document.commands
        if previous.get(c.key) == "works" and c.verdict != "works"
    ]
    document = document.model_copy(update={"regressions": regressions})
    if history is not None:
        _remember(history, document)
    return document


def _section(
    client: DockerClient,
    plan_: Plan,
    section: Section,
    mine: Sequence[parse.Command],
    out: pathlib.Path,
    say: Say,
    masker: Masker,
    interrupts: Interrupts,
) -> SectionRecord:
    drill_id = f"runbook-{secrets.token_hex(4)}"
    folder = out / "sections" / drill_id
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    target = plan_.target
    desired = DesiredState.create(folder / "desired-state", target, drill_id)
    teardown = Teardown(lambda _kind, _line: None)

    def record(kind: EventKind, detail: str) -> None:
        if kind in (EventKind.SETUP, EventKind.RECONCILE):
            say(f"  {masker.text(detail)}")

    replica = Replica(client, target, drill_id, record, desired)
    load = LoadProcess(
        locustfile=target.locustfile,
        host=replica.url(),
        users=2,
        rate=5.0,
        timeout_s=2.0,
        write_flows=target.write_flows,
        out=folder / "load",
        max_seconds=3600,
    )
    outcomes = []
    try:
        teardown.push("remove the replica", replica.teardown, essential=True)
        teardown.push("stop the load", load.stop, essential=True)
        load.spawn()
        replica.start()
        load.start()
        open_terminal(replica, desired, folder)
        session = Session(replica, fill(plan_.values, facts(replica)), plan_.timeout_s, masker.text, say)
        for command in mine:
            outcome = session.run(command)
            outcomes.append(_record(outcome))
            if command.kind == "command":
                say(f"  {outcome.verdict:<14} {command.text.splitlines()[0][:70]}")
    except DrillbookError as exc:
        raise type(exc)(f"The check of section {section.title!r} stopped: {exc}") from exc
    finally:
        with interrupts.shielded():  # a second Ctrl-C does not leave the replica behind
            teardown.run()
    return SectionRecord(title=section.title, line=section.line, replica=drill_id, commands=outcomes)


def _record(outcome: Outcome) -> CommandRecord:
    c = outcome.command
    return CommandRecord(
        key=c.key,
        line=c.line,
        step=c.step,
        text=c.text,
        verdict=outcome.verdict,
        why=outcome.why,
        status=outcome.status,
        seconds=round(outcome.seconds, 3),
        output=outcome.output,
    )


def _previous(history: pathlib.Path | None) -> dict[str, str]:
    if history is None or not history.is_file():
        return {}
    try:
        loaded = json.loads(history.read_text())
        return {str(k): str(v) for k, v in dict(loaded.get("verdicts", {})).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _remember(history: pathlib.Path, document: RunbookCheck) -> None:
    """Each command's latest verdict; a command not in this check keeps its old one."""
    verdicts = {**_previous(history), **{c.key: c.verdict for c in document.commands}}
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text(json.dumps({"runbook": document.runbook, "verdicts": verdicts}, indent=1) + "\n")


DEFAULT_HISTORY = pathlib.Path(".drillbook") / HISTORY_FILE
"""Beside the drills' history: checks written to fresh output folders still compare."""
