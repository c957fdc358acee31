"""`drillbook history`: past drills as a table, a trend page (--html) and gauges for dashboards (--metrics)."""

from __future__ import annotations

import argparse
import datetime as dt

from rich.console import Console
from rich.table import Table

from drillbook import inputs
from drillbook.drills.campaigns import readiness
from drillbook.drills.campaigns.history import History
from drillbook.drills.cli import tables
from drillbook.drills.cli.coverage import drill_scenarios
from drillbook.drills.cli.files import CATALOG, history_path
from drillbook.errors import ExitCode
from drillbook.reports import words


def cmd_history(args: argparse.Namespace, console: Console) -> ExitCode:
    if args.html is not None:
        inputs.writable_file(args.html, "history page (--html)")
    if args.metrics is not None:
        inputs.writable_file(args.metrics, "metrics file (--metrics)")
    store = History(history_path(args))
    try:
        runs = store.runs(args.drill, args.limit)
        table = Table(title=f"drill history ({store.path})")
        tables.columns(
            table,
            [r.drill for r in runs],
            "drill",
            "started",
            "verdict",
            "downtime",
            "RTO target",
            "RPO",
            "lost writes",
        )
        for run in runs:
            table.add_row(
                run.drill,
                run.started_at or "—",
                run.verdict,
                words.seconds(run.downtime_s),
                words.duration(run.rto_target_s),
                words.seconds(run.rpo_s),
                "—" if run.lost_writes is None else str(run.lost_writes),
            )
        console.print(table if runs else f"no drills recorded in {store.path} yet")
        if args.html is not None:
            from drillbook.reports import history_page  # Jinja2 loads only when a page is written
            from drillbook.reports import readiness as readiness_page

            docs = store.documents(args.drill)
            drills = drill_scenarios([CATALOG])
            front = readiness.document(docs, store.runs(args.drill, 100_000), drills, dt.datetime.now(dt.UTC))
            args.html.write_text(history_page.render(docs, readiness_page.section(front)))
            console.out(f"wrote {args.html}", highlight=False)
        if args.metrics is not None:
            from drillbook.reports import metrics

            args.metrics.write_text(metrics.render(store.results(args.drill)))
            console.out(f"wrote {args.metrics}", highlight=False)
    finally:
        store.close()
    return ExitCode.OK
