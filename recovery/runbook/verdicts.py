"""What happened to one runbook command, in the words of `drillbook runbook check`.

| verdict | when |
|---|---|
| works | exit 0 |
| fails | a non-zero exit; the output head says why |
| missing tool | the command or a tool it calls does not exist |
| needs a value | a placeholder the drill does not fill |
| not reachable | it talks to a host that is not the replica's |
| interactive | it would not end by itself: stopped, recorded |
| no effect | exit 0, but a check drillbook knows of shows it changed nothing |
| not a command | prose inside a shell block |
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from drillbook.recovery.runbook.commands import Command
from drillbook.replicas.protocols import Ran
from drillbook.runbook_contract import VerdictName

Verdict = VerdictName
HEAD_LINES = 12

_MISSING = re.compile(
    r"(?:^|\s)(?:bash: (?:line \d+: )?)?([\w.+-]+): (?:command not found|No such file or directory)$", re.M
)
_UNREACHABLE = re.compile(
    r"Could not resolve host|Temporary failure in name resolution|Name or service not known|"
    r"could not translate host name|Network is unreachable|No route to host|no servers could be reached|"
    r"Resolving timed out",
    re.I,
)
_REFUSED = re.compile(r"^.*(?:option requires an argument|invalid option|unrecognized option).*$", re.M | re.I)
_ALTER_SYSTEM = re.compile(r"ALTER\s+SYSTEM\s+SET\s+(\w+)\s*(?:=|\bTO\b)\s*'?([\w.-]+)'?", re.I)


@dataclass(frozen=True)
class Outcome:
    command: Command
    verdict: Verdict
    why: str
    """One line: the reason, for the report's table."""
    status: int | None = None
    seconds: float = 0.0
    output: str = ""
    """The head of what the terminal showed, secrets masked."""


def head(text: str) -> str:
    lines = text.strip("\n").splitlines()
    shown = "\n".join(line[:300] for line in lines[:HEAD_LINES])
    return shown + (f"\n... ({len(lines) - HEAD_LINES} more lines)" if len(lines) > HEAD_LINES else "")


def classify(
    command: Command, ran: Ran, setting: Callable[[str], str | None], replica_hosts: Collection[str] = ()
) -> tuple[Verdict, str]:
    """The verdict of a command that ran, and why; `setting(name)` reads a database setting in
    force (for the `ALTER SYSTEM` check). A name of the replica's own that does not resolve
    (its container is gone) makes the command fail, not "not reachable": that verdict is for
    places outside the drill."""
    output = ran.output
    if ran.status is None:
        return "interactive", f"did not end by itself within {ran.seconds:.0f} s: stopped"
    missing = [m.group(1) for m in _MISSING.finditer(output) if "command not found" in m.group(0)]
    if missing or ran.status == 127:
        tool = missing[0] if missing else command.text.split()[0]
        return "missing tool", f"{tool}: command not found in the toolbox"
    if ran.status != 0:
        line = next((line for line in output.splitlines() if _UNREACHABLE.search(line)), None)
        ours = line is not None and any(re.search(rf"(?<![\w.-]){re.escape(h)}(?![\w-])", line) for h in replica_hosts)
        if line is not None and not ours:
            return "not reachable", f"not reachable in the drill: {line.strip()[:200]}"
        last = next((line.strip() for line in reversed(output.splitlines()) if line.strip()), "")
        tool = command.text.split()[0]
        if not last and ran.status == 1 and tool in ("pkill", "pgrep", "killall"):
            last = "no process matched (nothing was stopped)"
        return "fails", f"exit {ran.status}: {last[:200] or 'no output'}"
    refused = _REFUSED.search(output)
    if refused:  # `top -p` with nothing to watch prints its usage error and exits 0
        return "fails", f"exit 0, but it refused its arguments: {refused.group(0).strip()[:200]}"
    return _effect(command, output, setting)


def _effect(command: Command, output: str, setting: Callable[[str], str | None]) -> tuple[Verdict, str]:
    if re.search(r"\bgit\b.*\bpush\b", command.text) and "Everything up-to-date" in output:
        return "no effect", "git push pushed nothing: Everything up-to-date (origin already had that branch)"
    for name, value in _ALTER_SYSTEM.findall(command.text):
        in_force = setting(name)
        if in_force is not None and in_force.lower() != value.lower():
            return (
                "no effect",
                f"ALTER SYSTEM wrote {name} = {value}, but {in_force} is in force: nothing reloaded the "
                "configuration (SELECT pg_reload_conf())",
            )
    return "works", "exit 0"
