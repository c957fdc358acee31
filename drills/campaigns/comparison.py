"""Several procedures for one fault, side by side: which one meets the objectives.

Each procedure ran on a fresh replica (its own folder); this reads their result
documents and writes `comparison.json` and `comparison.md` beside them.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import asdict, dataclass
from typing import Any

from drillbook.reports import words


@dataclass(frozen=True)
class Row:
    procedure: str
    drill: str
    verdict: str
    downtime_s: float | None
    lost_writes: int | None
    rpo_s: float | None
    time_to_recover_s: float | None
    rto_met: bool | None
    rpo_met: bool | None
    folder: str


def row(document: dict[str, Any], folder: str) -> Row:
    m = document.get("measurements", {})
    met = {o["name"]: o["met"] for o in document.get("objectives", [])}
    return Row(
        procedure=str(document.get("recovery")),
        drill=str(document.get("drill")),
        verdict=str(document.get("verdict")),
        downtime_s=m.get("downtime_s"),
        lost_writes=m.get("lost_writes"),
        rpo_s=m.get("rpo_s"),
        time_to_recover_s=m.get("time_to_recover_s"),
        rto_met=met.get("RTO"),
        rpo_met=met.get("RPO"),
        folder=folder,
    )


def write(out: pathlib.Path, drill: str, scenario: str, rows: list[Row]) -> pathlib.Path:
    doc = {"drill": drill, "scenario": scenario, "procedures": [asdict(r) for r in rows]}
    (out / "comparison.json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        f"# {drill}: {scenario}, {len(rows)} procedures compared",
        "",
        "Each procedure ran on a fresh replica against the same fault.",
        "",
        "| procedure | verdict | downtime | lost writes | RPO | time to recover | RTO met | RPO met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| [{r.procedure}]({r.folder}/summary.md) | {r.verdict} | {words.seconds(r.downtime_s)} | "
            f"{'—' if r.lost_writes is None else r.lost_writes} | {words.seconds(r.rpo_s)} | "
            f"{words.seconds(r.time_to_recover_s)} | {_yes(r.rto_met)} | {_yes(r.rpo_met)} |"
        )
    (out / "comparison.md").write_text("\n".join(lines) + "\n")
    return out / "comparison.md"


def _yes(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")
