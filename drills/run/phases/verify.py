"""Verify: wait for a clean verification window (or none needed), then stop the traffic.

The end of verification is the end of what is measured: the load stopping
afterwards is not an outage.
"""

from __future__ import annotations

from drillbook.contract import EventKind
from drillbook.drills.run import watch
from drillbook.drills.run.state import Drill, DrillState


def verify(drill: Drill) -> None:
    drill.enter(DrillState.VERIFYING)
    m = drill.spec.model
    since = drill.clock.now()

    def settled() -> bool:
        return watch.recovered(drill) is not None or watch.no_disruption(drill, since)

    drill.wait(settled, m.phases.recover_timeout_s + m.phases.verify_window_s)
    if not settled():
        drill.timeline.record(EventKind.VERIFY, f"not recovered {drill.clock.now() - since:.1f} s into verification")
    else:
        drill.observed_until = watch.known_until(drill)
        if drill.diagnostics is not None:
            drill.diagnostics.take("after recovery")
            drill.diagnostics.wait()
    stop_traffic(drill)


def stop_traffic(drill: Drill) -> None:
    if drill.probes is not None:
        drill.probes.stop()
    if drill.load is not None:
        drill.load.stop()
        drill.timeline.record(
            EventKind.LOAD,
            f"stopped: {len(drill.load.requests)} requests, {len(drill.load.writes)} acknowledged writes",
        )
