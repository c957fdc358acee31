"""Warm-up and steady state: the service must be healthy under load before any fault.

A drill whose steady state does not hold, or whose writes cannot be proven,
stops here: it could only prove nothing.
"""

from __future__ import annotations

from drillbook.contract import EventKind
from drillbook.drills.judge import datacheck, steady
from drillbook.drills.result import Check
from drillbook.drills.run import watch
from drillbook.drills.run.state import Drill, DrillState
from drillbook.errors import SteadyStateError


def warm_up(drill: Drill) -> None:
    warmup_s = drill.spec.model.phases.warmup_s
    if warmup_s:
        drill.enter(DrillState.WARMING_UP)
        since = drill.clock.now()
        drill.wait(lambda: drill.clock.now() - since >= warmup_s, None)


def steady_state(drill: Drill) -> None:
    drill.enter(DrillState.STEADY_STATE)
    since = drill.clock.now()
    drill.wait(lambda: drill.clock.now() - since >= drill.spec.model.phases.steady_state_s, None)
    judge(drill, since)
    data_check_self_test(drill)


def data_check_self_test(drill: Drill) -> None:
    """The data check run on the writes acknowledged before any fault: every one must be found
    as it was sent, or the check itself is wrong and would report lost writes that are not."""
    if drill.load is None or not drill.load.writes:
        return
    drill.load.poll()
    writes = list(drill.load.writes)
    target = drill.spec.target
    lost = datacheck.reconcile(drill.require_replica().db_conninfo(), target.data_check_sql, writes, target.write_flows)
    drill.timeline.record(
        EventKind.DATA_CHECK, f"self-test before the fault: {len(writes) - len(lost)} of {len(writes)} writes found"
    )
    if lost:
        raise SteadyStateError(datacheck.misconfigured(lost, writes, target.data_check_sql))


def judge(drill: Drill, since: float) -> None:
    m = drill.spec.model.steady_state
    seen = watch.samples(drill)
    judged = steady.judge(
        [s for s in seen if s.at >= since],
        watch.required_probes(drill),
        steady.Bounds(m.max_error_rate, m.max_mean_latency_ms),
        write_flows=drill.spec.target.write_flows,
        load_so_far=[s for s in seen if s.source == "load"],
        writes=drill.load.writes if drill.load else (),
        misses=drill.load.misses if drill.load else (),
    )
    drill.checks.append(Check("steady_state", judged.ok, judged.detail))
    drill.timeline.record(EventKind.STEADY_STATE, ("held: " if judged.ok else "failed: ") + judged.detail)
    if judged.unproven:
        raise SteadyStateError(
            "The drill stopped before any fault: its write flows cannot be proven, so it could only "
            "pass with no acknowledged write checked.\n" + "\n".join(judged.unproven)
        )
    if not judged.ok:
        raise SteadyStateError(
            f"The steady state did not hold before any fault ({judged.detail}), so the drill would "
            "prove nothing and stopped here. Check the target's health and the load rate (load.rate, "
            "steady_state.* in the drill file); a service whose first requests are slow needs "
            "phases.warmup_s."
        )
