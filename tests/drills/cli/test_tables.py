"""Terminal tables in a CI log (80 columns, no terminal): a drill's name is never cut."""

from __future__ import annotations

import io

from rich.console import Console

from drillbook.drills.cli import tables

LONG = ("host-lost-database-failover-to-the-standby", "host-lost-database-restore-from-the-last-dump")


def ci_log() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=80, color_system=None), out


def test_the_game_day_table_keeps_two_long_names_apart() -> None:
    console, out = ci_log()
    row = {
        "downtime_s": 3.2,
        "rto_target_s": 900.0,
        "rpo_s": 0.0,
        "lost_writes": 0,
        "regressions": ["downtime 1.20 s → 3.20 s (drillbook: 2 commit(s))"],
    }
    gdoc = {
        "gameday": "nightly",
        "verdict": "passed",
        "drills": [{**row, "name": n, "verdict": "passed"} for n in LONG],
        "not_run": ["memory-leak-under-a-very-long-name-too"],
    }
    tables.print_gameday(console, gdoc)
    text = out.getvalue()
    for name in (*LONG, "memory-leak-under-a-very-long-name-too"):
        assert name in text, text
    assert "…" not in text


def test_the_history_table_keeps_the_name_whole() -> None:
    from rich.table import Table

    console, out = ci_log()
    table = Table()
    tables.columns(table, list(LONG), "drill", "started", "verdict", "downtime", "RTO target", "RPO", "lost writes")
    for name in LONG:
        table.add_row(name, "2026-12-01T21:59:33.123+00:00", "passed", "3.20 s", "15 min", "0.00 s", "0")
    console.print(table)
    assert all(name in out.getvalue() for name in LONG)
