"""One runbook command run against the replica, from its text to its verdict.

Placeholders are filled from the drill's `values:` (which may name the drill's
own facts, `{last_stable_commit}`); a command that still has one, or that is
prose, is not run. After each command a push to the toolbox's origin is taken
into the desired state and the replica reconciled to it, as the team's GitOps
controller would.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from drillbook.errors import DrillbookError, RecoveryStepFailed
from drillbook.recovery.gitops import last_change, service_field
from drillbook.recovery.runbook.commands import Command
from drillbook.recovery.runbook.verdicts import Outcome, classify, head
from drillbook.replicas.protocols import Addresses, Desired, Terminals


class RunbookReplica(Terminals, Desired, Addresses, Protocol):
    """What a runbook needs of the replica: the toolbox, the desired state, the database's address."""


def facts(replica: RunbookReplica) -> dict[str, str]:
    """What a drill's `values:` may name in braces."""
    desired = replica.require_desired()
    try:
        _bad, stable = last_change(desired, service_field(replica.target.app, "image"))
        stable_sha = stable.sha
    except RecoveryStepFailed:
        stable_sha = desired.head().sha  # nothing was deployed since the start: HEAD is stable
    return {"last_stable_commit": stable_sha, "head_commit": desired.head().sha}


def fill(values: Mapping[str, str], known: Mapping[str, str]) -> dict[str, str]:
    filled = {}
    for name, value in values.items():
        try:
            filled[name] = value.format_map(known)
        except (KeyError, ValueError, IndexError) as exc:
            raise RecoveryStepFailed(
                f"values.{name}: {value!r} names {exc}, which a drill does not know; it knows "
                f"{', '.join('{' + k + '}' for k in known)}"
            ) from None
    return filled


def without_running(command: Command, values: Mapping[str, str]) -> Outcome | None:
    """The outcome of a line that is not run: prose, or a command with a placeholder left."""
    if command.kind == "prose":
        return Outcome(command, "not a command", "prose in a shell block: read, not typed")
    _text, missing = command.filled(values)
    if missing:
        names = ", ".join(missing)
        return Outcome(command, "needs a value", f"{names}: not filled; give it in the drill's `values:`")
    return None


@dataclass(frozen=True)
class Session:
    replica: RunbookReplica
    values: Mapping[str, str]
    timeout_s: float
    mask: Callable[[str], str]
    log: Callable[[str], object] = lambda _line: None

    def run(self, command: Command) -> Outcome:
        known = without_running(command, self.values)
        if known is not None:
            return known
        text, _missing = command.filled(self.values)
        terminal = self.replica.terminal()
        ran = terminal.type(text, self.timeout_s)
        target = self.replica.target
        names = {*target.hosts, *(n for s in target.services for n in (s.name, s.host, *s.aliases))}
        verdict, why = classify(command, ran, self._setting, names)
        pushed = terminal.pushed()
        if pushed is not None:
            try:
                short = terminal.take_push()
                changed = self.replica.reconcile()
                self.log(f"origin's main moved to {short}: reconciled ({', '.join(changed) or 'nothing changed'})")
            except DrillbookError as exc:
                verdict, why = "fails", f"the push was taken, and reconciling to it failed: {exc}"
        return Outcome(command, verdict, self.mask(why), ran.status, ran.seconds, self.mask(head(ran.output)))

    def _setting(self, name: str) -> str | None:
        """A database setting in force, read by the harness (never the toolbox)."""
        import psycopg  # here: checking a runbook's commands before a drill loads no database client

        with contextlib.suppress(psycopg.Error, OSError), psycopg.connect(self.replica.db_conninfo(3.0)) as conn:
            row = conn.execute("SELECT current_setting(%s, true)", (name,)).fetchone()
            return None if row is None or row[0] is None else str(row[0])
        return None
