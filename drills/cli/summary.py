"""The summary table printed in the terminal at the end of a drill."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

STYLE = {"passed": "bold green", "failed": "bold red", "error": "bold yellow", "interrupted": "bold yellow"}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f} s"
    return str(value)


def print_summary(console: Console, doc: dict[str, Any], where: str) -> None:
    verdict = doc["verdict"]
    table = Table(title=f"drill {doc['drill']}: [{STYLE.get(verdict, 'bold')}]{verdict}[/]", show_lines=False)
    table.add_column("objective / figure")
    table.add_column("target", justify="right")
    table.add_column("measured", justify="right")
    table.add_column("met")
    for o in doc["objectives"]:
        table.add_row(
            o["name"], _fmt(float(o["target_s"])), _fmt(o["measured_s"]), "[green]yes[/]" if o["met"] else "[red]no[/]"
        )
    m = doc["measurements"]
    for key in ("time_to_detect_s", "time_to_recover_s", "acked_writes", "lost_writes", "lost_after_injection"):
        table.add_row(key, "", _fmt(m.get(key)), "")
    for c in doc.get("checks", []):
        table.add_row(
            f"check {escape(c['name'])}", "", escape(c["detail"][:60]), "[green]yes[/]" if c["ok"] else "[red]no[/]"
        )
    console.print(table)
    for finding in doc.get("findings") or []:
        console.print(f"[bold]finding:[/] {escape(finding)}")
    if len(doc.get("outages") or []) > 1:
        console.print(f"{len(doc['outages'])} outages, all counted in the downtime")
    if doc.get("error"):
        console.print(f"[yellow]{escape(doc['error'])}[/]")
    console.out(f"result: {where}", highlight=False)
