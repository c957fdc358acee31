"""The tables the campaign commands print on the terminal: a comparison, a game day, a rehearsal's score."""

from __future__ import annotations

import pathlib
from typing import Any

from rich.console import Console
from rich.table import Table

from drillbook.drills.campaigns import comparison
from drillbook.reports import words


def columns(table: Table, names: list[str], *headers: str) -> None:
    """The table's columns, the first one holding names that are never cut or wrapped.

    A CI log is 80 columns to rich: without this, two long drill names that
    share their first 20 characters (host-lost…) print as the same text.
    The other columns wrap instead.
    """
    first, *rest = headers
    table.add_column(first, no_wrap=True, min_width=max([len(first), *(len(n) for n in names)]))
    for header in rest:
        table.add_column(header, overflow="fold")


def print_comparison(console: Console, drill: str, rows: list[comparison.Row], where: pathlib.Path) -> None:
    table = Table(title=f"{drill}: procedures compared, each on a fresh replica")
    names = [r.procedure for r in rows]
    columns(table, names, "procedure", "verdict", "downtime", "lost writes", "RPO", "RTO met", "RPO met")
    for r in rows:
        table.add_row(
            r.procedure,
            r.verdict,
            words.seconds(r.downtime_s),
            "—" if r.lost_writes is None else str(r.lost_writes),
            words.seconds(r.rpo_s),
            str(r.rto_met),
            str(r.rpo_met),
        )
    console.print(table)
    console.out(f"comparison: {where}", highlight=False)


def print_gameday(console: Console, gdoc: dict[str, Any]) -> None:
    table = Table(title=f"game day {gdoc['gameday']}: {gdoc['verdict']}")
    names = [r["name"] for r in gdoc["drills"]] + list(gdoc["not_run"])
    columns(table, names, "drill", "verdict", "downtime", "RTO objective", "RPO", "lost writes", "regressions")
    for r in gdoc["drills"]:
        table.add_row(
            r["name"],
            r["verdict"],
            words.seconds(r["downtime_s"]),
            words.duration(r["rto_target_s"]),
            words.seconds(r["rpo_s"]),
            "—" if r["lost_writes"] is None else str(r["lost_writes"]),
            "; ".join(r["regressions"]) or "none",
        )
    for name in gdoc["not_run"]:
        table.add_row(name, "not run", "", "", "", "", "")
    console.print(table)


def print_score(console: Console, doc: dict[str, Any]) -> None:
    score = doc.get("rehearsal")
    if not score:
        return
    m = doc["measurements"]
    targets = {o["name"]: o["target_s"] for o in doc["objectives"]}
    rto, rpo = targets.get("RTO"), targets.get("RPO")
    table = Table(title=f"rehearsal score: {score['engineer']}")
    table.add_column("")
    table.add_column("value")
    rows = [
        ("time to acknowledge", words.seconds(score["time_to_acknowledge_s"])),
        ("recovered by", score["recovered_by"]),
        ("time to recover", words.seconds(m.get("time_to_recover_s"))),
        ("downtime (RTO)", f"{words.seconds(m.get('downtime_s'))} of {words.duration(rto)}"),
        ("lost writes (RPO)", f"{m.get('lost_writes')}: {words.seconds(m.get('rpo_s'))} of {words.duration(rpo)}"),
        ("checklist steps skipped", ", ".join(score["skipped"]) or "none"),
        ("hints used", str(score["hints"])),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
