"""A section of the team's runbook as a drill's recovery: one timed step per command.

The commands run in the toolbox in the runbook's order. Before the first one,
the desired state's HEAD (the fault's deploy included) is on origin and in the
toolbox's clone, as the engineer's checkout would be. A command that does not
work ends the recovery there, as it would end a person's; a command that had
to be stopped (`watch`) is not a failure: a person stops it and goes on. The
verify phase then says whether the section recovered the service.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from drillbook.errors import RecoveryStepFailed, SpecError
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.runbook import commands, markdown
from drillbook.recovery.runbook.commands import Command
from drillbook.recovery.runbook.session import RunbookReplica, Session, facts, fill

PASSES = ("works", "interactive")


@dataclass(frozen=True)
class Options:
    """A runbook recovery's values are in the drill's `recovery:`, not in `with:`."""


@dataclass
class Work:
    """The session the first command opens, for the ones after it (its values filled once)."""

    session: Session | None = None


Ctx = StepContext[Options, Work]


def section(file: pathlib.Path, title: str, where: str) -> tuple[markdown.Section, ...]:
    """The section and its subsections, refused when it has no shell block."""
    try:
        chosen = markdown.load(file).select(title)
    except SpecError as exc:
        raise SpecError(f"{where}{exc}") from None
    if not any(b.shell for s in chosen for b in s.blocks):
        raise SpecError(
            f"{where}{file}:{chosen[0].line}: section {title!r} has no shell block (```bash, ```sh or an "
            "unlabelled fence), so there is nothing to run. Name a section with commands."
        )
    return chosen


def procedure(
    sections: Sequence[markdown.Section], values: Mapping[str, str], timeout_s: float
) -> Procedure[Options, Work]:
    found, _listed = commands.of_sections(tuple(sections))
    runnable = [c for c in found if c.kind == "command"]
    title = sections[0].title
    return Procedure(
        name="runbook",
        description=f"the runbook's section {title!r}, command by command in the toolbox",
        options=Options,
        work=Work,
        steps=tuple(_step(c, i == 0, dict(values), timeout_s) for i, c in enumerate(runnable)),
    )


def _step(command: Command, first: bool, values: dict[str, str], timeout_s: float) -> Step[Options, Work]:
    def run(ctx: Ctx) -> str:
        replica: RunbookReplica = ctx.replica
        if ctx.work.session is None:
            # The result document is masked as a whole when written; the session need not mask.
            ctx.work.session = Session(replica, fill(values, facts(replica)), timeout_s, lambda text: text, ctx.log)
        if first:
            replica.terminal().publish()
        outcome = ctx.work.session.run(command)
        lines = [line.strip()[:160] for line in outcome.output.splitlines() if line.strip()][:3]
        shown = " | ".join(lines) or "no output"
        status = {"interactive": "stopped", "needs a value": "not run"}.get(outcome.verdict, f"exit {outcome.status}")
        why = "" if outcome.verdict == "works" else f": {outcome.why}"
        detail = f"{outcome.verdict} ({status}, line {command.line}){why}; output: {shown}"
        if outcome.verdict not in PASSES:
            raise RecoveryStepFailed(
                f"the runbook broke at line {command.line}, `{command.text.splitlines()[0]}`: {detail}"
            )
        return detail

    name = f"{command.step[:50]}: {command.text.splitlines()[0][:60]}" if command.step != command.text else command.text
    hint = command.text.replace("{", "{{").replace("}", "}}")  # hints are formatted; the command is literal
    return Step(name[:110], f"runbook line {command.line}", run, hint=hint)
