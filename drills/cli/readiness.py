"""`drillbook readiness`: recovery readiness at a glance, from the history (HTML, JSON and, with --pdf, PDF)."""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib

from rich.console import Console

from drillbook import inputs
from drillbook.drills.campaigns import readiness
from drillbook.drills.campaigns.history import History
from drillbook.drills.cli.coverage import drill_folders, drill_scenarios
from drillbook.drills.cli.files import history_path
from drillbook.errors import DrillbookError, ExitCode
from drillbook.readiness_contract import READINESS_FILE
from drillbook.reports import pdf
from drillbook.reports import readiness as readiness_page


def cmd_readiness(args: argparse.Namespace, console: Console) -> ExitCode:
    folders = drill_folders(args.drills)
    if args.pdf:
        pdf.browser()
    out: pathlib.Path = args.out
    if out.exists() and not out.is_dir():
        raise DrillbookError(f"The output folder {out} is a file; give a folder (--out).")
    inputs.writable_file(out / READINESS_FILE if out.is_dir() else out, "readiness output (--out)")
    drills = drill_scenarios(folders)
    store = History(history_path(args))
    try:
        doc = readiness.document(store.documents(), store.runs(limit=100_000), drills, dt.datetime.now(dt.UTC))
    finally:
        store.close()
    out.mkdir(parents=True, exist_ok=True)
    (out / READINESS_FILE).write_text(doc.model_dump_json(indent=1, by_alias=True))
    page = out / "readiness.html"
    page.write_text(readiness_page.render(doc))
    console.out(f"wrote {page} ({len(doc.drills)} drill(s), {len(doc.coverage)} incidents)", highlight=False)
    if args.pdf:
        pdf.write(page, out / "readiness.pdf")
        console.out(f"wrote {out / 'readiness.pdf'}", highlight=False)
    return ExitCode.OK
