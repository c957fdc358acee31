"""Measure: every acknowledged write looked up by SQL in the recovered database.

Writes lost from before the fault are what the RPO objective judges (a
restore from a backup loses them by design); one acknowledged after the fault
must never be lost.
"""

from __future__ import annotations

from dataclasses import replace

from drillbook.contract import EventKind
from drillbook.drills.judge import datacheck, measure
from drillbook.drills.result import Check
from drillbook.drills.run.state import Drill, DrillState


def data_check(drill: Drill) -> None:
    replica, load = drill.require_replica(), drill.load
    assert load is not None
    drill.enter(DrillState.MEASURING)
    writes = [replace(w, acked_at=drill.clock.from_monotonic(w.acked_at)) for w in load.writes]
    target = drill.spec.target
    try:
        lost = datacheck.reconcile(replica.db_conninfo(), target.data_check_sql, writes, target.write_flows)
    except datacheck.DataCheckContractError as exc:
        refuse(drill, str(exc), f"refused: {exc}")
        return
    except Exception as exc:  # the database may never have come back: record, don't crash
        refuse(drill, f"could not query the database: {exc}", f"could not run: {exc}")
        return
    drill.lost = lost
    after = measure.lost_after(lost, drill.injected_at)
    detail = f"{len(writes)} acknowledged writes, {len(lost)} lost"
    if lost:
        detail += f" ({len(after)} of them acknowledged after the fault)"
        changed = next((w for w in lost if w.reason == "changed"), None)
        if changed is not None:
            detail += f"; write {changed.id} differs in {changed.detail.removeprefix('field ')}"
    drill.checks.append(Check("data_check", not after, detail))
    drill.timeline.record(EventKind.DATA_CHECK, f"{len(writes)} acknowledged writes checked by SQL, {len(lost)} lost")


def refuse(drill: Drill, detail: str, line: str) -> None:
    drill.lost = None
    drill.checks.append(Check("data_check", False, detail))
    drill.timeline.record(EventKind.DATA_CHECK, line)
