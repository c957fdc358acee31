"""Warm-up and steady state: the service must be healthy under load before any fault.

A drill whose steady state does not hold, or whose writes cannot be proven,
stops here: it could only prove nothing.
"""

from __future__ import annotations

import functools

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
    """The hypothesis must hold for one whole window, as verification's clean window does: a
    window that fails is recorded and a new one judged, up to `steady_state.windows`. A write
    flow the ledger cannot prove stops the drill at once: waiting does not mend its setting."""
    drill.enter(DrillState.STEADY_STATE)
    window_s, windows = drill.spec.model.phases.steady_state_s, drill.spec.model.steady_state.windows
    for n in range(1, windows + 1):
        since = drill.clock.now()
        drill.wait(functools.partial(_past, drill, since + window_s), None)
        judged = judge(drill, since)
        if judged.unproven:
            _stop(drill, judged)
            raise SteadyStateError(
                "The drill stopped before any fault: its write flows cannot be proven, so it could only "
                "pass with no acknowledged write checked.\n" + "\n".join(judged.unproven)
            )
        if judged.ok:
            detail = judged.detail + (f" (window {n} of {windows})" if n > 1 else "")
            drill.checks.append(Check("steady_state", True, detail))
            drill.timeline.record(EventKind.STEADY_STATE, f"held: {detail}")
            break
        if n < windows:
            drill.timeline.record(
                EventKind.STEADY_STATE, f"window {n} of {windows} failed: {judged.detail}; judging a new window"
            )
    else:
        _stop(drill, judged)
        raise SteadyStateError(
            f"The steady state did not hold for a whole window of {window_s:g} s in {windows} "
            f"{'try' if windows == 1 else 'tries'} before any "
            f"fault (the last: {judged.detail}), so the drill would prove nothing and stopped here. Check the "
            "target's health and the load rate (load.rate, steady_state.* in the drill file); a service whose "
            "first requests are slow needs phases.warmup_s."
        )
    data_check_self_test(drill)


def _past(drill: Drill, until: float) -> bool:
    return drill.clock.now() >= until


def _stop(drill: Drill, judged: steady.Judgement) -> None:
    drill.checks.append(Check("steady_state", False, judged.detail))
    drill.timeline.record(EventKind.STEADY_STATE, f"failed: {judged.detail}")


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


def judge(drill: Drill, since: float) -> steady.Judgement:
    m = drill.spec.model.steady_state
    seen = watch.samples(drill)
    return steady.judge(
        [s for s in seen if s.at >= since],
        watch.required_probes(drill),
        steady.Bounds(m.max_error_rate, m.max_mean_latency_ms),
        write_flows=drill.spec.target.write_flows,
        load_so_far=[s for s in seen if s.source == "load"],
        writes=drill.load.writes if drill.load else (),
        misses=drill.load.misses if drill.load else (),
    )
