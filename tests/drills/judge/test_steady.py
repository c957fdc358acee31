"""The steady-state judgement: every failing probe named with its reason, every write flow proven."""

from __future__ import annotations

from drillbook.drills.judge.steady import Bounds, judge
from drillbook.drills.observe.load.ledger import AckedWrite, Miss
from drillbook.drills.observe.samples import Sample
from drillbook.replicas.target import WriteFlow

BOUNDS = Bounds(max_error_rate=0.01, max_mean_latency_ms=500)
FLOW = WriteFlow("create run", "run.info.id", ("run_name",))


def healthy(names: tuple[str, ...] = ("health", "search")) -> list[Sample]:
    return [Sample("probe", n, t / 10, t / 10 + 0.01, True, 200) for t in range(20) for n in names]


def writes(count: int, ok: bool = True, status: int = 200) -> list[Sample]:
    return [Sample("load", "create run", t / 10, t / 10 + 0.01, ok, status) for t in range(count)]


def test_answered_writes_without_an_id_stop_the_drill_with_the_answers_shape() -> None:
    load = writes(20)
    miss = Miss("create run", "run.info.id", '{"run": {"info": {"run_id": "string"}}}')
    judged = judge(healthy() + load, ("health",), BOUNDS, write_flows=[FLOW], load_so_far=load, misses=[miss])
    assert not judged.ok and len(judged.unproven) == 1
    message = judged.unproven[0]
    assert "20 answers 2xx" in message and "id_field 'run.info.id'" in message
    assert '{"run": {"info": {"run_id": "string"}}}' in message


def test_a_write_flow_the_load_never_requests_is_named_with_the_names_it_does_use() -> None:
    load = [Sample("load", "create_run", t / 10, t / 10 + 0.01, True, 200) for t in range(20)]
    judged = judge(healthy() + load, ("health",), BOUNDS, write_flows=[FLOW], load_so_far=load)
    assert not judged.ok
    assert "made no request" in judged.unproven[0] and "'create_run'" in judged.unproven[0]


def test_an_acknowledged_write_proves_the_flow() -> None:
    load = writes(20)
    acked = [AckedWrite("create run", "r1", "d", 0.1)]
    judged = judge(healthy() + load, ("health",), BOUNDS, write_flows=[FLOW], load_so_far=load, writes=acked)
    assert judged.ok and judged.unproven == ()


def test_failing_probes_are_named_with_why_they_failed() -> None:
    samples = healthy(("health",)) + [
        Sample("probe", "search", 0.1 * t, 0.1 * t + 1.0, False, 0, "timed out after 1 s") for t in range(4)
    ]
    samples.append(Sample("probe", "search", 0.5, 0.51, False, 405, "HTTP 405"))
    judged = judge(samples + writes(20), ("health", "search"), BOUNDS)
    assert not judged.ok
    assert "search (timed out after 1 s ×4, HTTP 405 ×1)" in judged.detail
    assert "no successful probe of: search" in judged.detail
