"""`drillbook runbook check`: run a runbook's shell commands against a replica and say which work.

Exit codes: 0 the check ran (whatever the verdicts), 1 a command that worked in
the previous check no longer does, 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from drillbook import inputs
from drillbook.errors import ExitCode, SpecError


def _pairs(given: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise SpecError(f"{flag} {item!r} is not NAME=VALUE. Write it as {flag} returnit.online=app.")
        pairs[name.strip()] = value.strip()
    return pairs


def cmd_runbook(args: argparse.Namespace, console: Console) -> ExitCode:
    from drillbook.drills import spec
    from drillbook.drills.campaigns import runbook_check
    from drillbook.recovery.runbook import markdown
    from drillbook.reports import runbook_check as report
    from drillbook.runbook_contract import RUNBOOK_FILE

    out = inputs.writable_folder(args.out, "output folder (--out)")
    hosts, values = _pairs(args.host, "--host"), _pairs(args.value, "--value")
    book = markdown.load(args.runbook)
    target = spec.target_named(args.target)
    planned = runbook_check.plan(book, args.section, target, hosts, values, args.timeout)
    history = args.history or runbook_check.DEFAULT_HISTORY
    if args.history is not None:
        inputs.writable_file(history, "history file (--history)")
    document = runbook_check.run(planned, out, lambda line: console.print(line, markup=False), history)
    out.mkdir(parents=True, exist_ok=True)
    raw = json.loads(document.model_dump_json(by_alias=True))
    (out / RUNBOOK_FILE).write_text(json.dumps(raw, indent=2) + "\n")
    for name, text in report.render_all(raw).items():
        (out / name).write_text(text)
    console.print(f"{report.summary(document)}; " + ", ".join(f"{n} {v}" for v, n in sorted(document.counts.items())))
    for r in document.regressions:
        console.print(
            f"stopped working since the last check: [{r.section}] {r.text.splitlines()[0]} ({r.now})", markup=False
        )
    console.print(f"wrote {out / RUNBOOK_FILE}, runbook.md, runbook.html, junit.xml", markup=False)
    return ExitCode.OBJECTIVE_MISSED if document.regressions else ExitCode.OK
