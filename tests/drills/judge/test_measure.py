"""Measurement on constructed timelines: the definitions of docs/design.md, exactly."""

from __future__ import annotations

import pytest

from drillbook.drills.judge.measure import (
    LostWrite,
    Measurements,
    degraded_for,
    disrupted_at,
    measure,
    recovered_at,
    rpo,
)
from drillbook.drills.judge.objectives import judge
from drillbook.drills.observe.samples import Sample

PROBES = ("health", "database")


def probes(start: float, end: float, ok: bool, step: float = 0.1, latency: float = 0.01) -> list[Sample]:
    out = []
    t = start
    while t < end - 1e-9:
        for name in PROBES:
            out.append(Sample("probe", name, round(t, 4), round(t + latency, 4), ok))
        t += step
    return out


def recovery(
    samples: list[Sample], *, required: tuple[str, ...] = PROBES, until: float = 30.0, threshold: float = 0.0
) -> float | None:
    """`recovered_at` after a disruption at 10 s, with a 5 s verification window."""
    return recovered_at(
        samples,
        disrupted_at=10.0,
        verify_window_s=5.0,
        max_error_rate=threshold,
        required_probes=required,
        observed_until=until,
    )


def all_up(start: float, count: int, names: tuple[str, ...]) -> list[Sample]:
    """`count` rounds of successful probes of `names`, every 0.1 s from `start`."""
    return [
        Sample("probe", n, round(start + i / 10, 4), round(start + i / 10, 4) + 0.01, True)
        for i in range(count)
        for n in names
    ]


def figures(samples: list[Sample], lost: list[LostWrite] | None = None, **kw: float) -> Measurements:
    return measure(
        samples=samples,
        injected_at=kw.get("injected_at", 10.0),
        detected_at=kw.get("detected_at", 10.2),
        verify_window_s=kw.get("verify_window_s", 5.0),
        max_error_rate=kw.get("max_error_rate", 0.0),
        required_probes=PROBES,
        observed_until=kw.get("observed_until", max(s.end for s in samples)),
        acked_writes=100,
        lost=[] if lost is None else lost,
    )


def test_no_disruption_means_no_downtime() -> None:
    m = figures(probes(0, 30, ok=True))
    assert m.disrupted_at is None
    assert m.recovered_at is None
    assert m.downtime_s == 0.0
    assert m.lost_writes == 0 and m.rpo_s == 0.0


def test_outage_downtime_is_first_failure_to_first_clean_window() -> None:
    samples = probes(0, 10.05, True) + probes(10.05, 14.05, False) + probes(14.05, 30, True)
    m = figures(samples)
    assert m.disrupted_at == pytest.approx(10.05)
    # A success counts when it answered: 14.05 + 0.01 latency.
    assert m.recovered_at == pytest.approx(14.06)
    assert m.downtime_s == pytest.approx(4.01)
    assert m.time_to_detect_s == pytest.approx(0.2)
    assert m.time_to_recover_s == pytest.approx(14.06 - 10.2)


def test_failures_before_injection_are_not_the_disruption() -> None:
    samples = [Sample("probe", "health", 9.0, 9.5, False), *probes(9.5, 30, True)]
    assert disrupted_at(samples, injected_at=10.0) is None


def test_a_hung_request_counts_from_when_it_was_sent() -> None:
    hung = Sample("load", "create order", 10.2, 12.2, False, 0, "ReadTimeout")
    assert hung.at == 10.2
    assert disrupted_at([hung], injected_at=10.0) == 10.2


def test_flapping_inside_the_verification_window_restarts_it() -> None:
    samples = (
        probes(0, 10, True)
        + probes(10, 12, False)
        + probes(12, 14, True)  # looks recovered...
        + probes(14, 14.3, False)  # ...but flaps inside the 5 s window
        + probes(14.3, 30, True)
    )
    m = figures(samples)
    assert m.recovered_at == pytest.approx(14.31)
    assert m.downtime_s == pytest.approx(4.31)


def test_never_recovered_has_no_downtime_figure_and_misses_rto() -> None:
    samples = probes(0, 10, True) + probes(10, 30, False)
    m = figures(samples)
    assert m.disrupted_at == pytest.approx(10.0)
    assert m.recovered_at is None and m.downtime_s is None
    rto, _ = judge("customer-facing", m)
    assert rto.measured_s is None and not rto.met


def test_a_window_not_yet_observed_to_its_end_is_not_recovery() -> None:
    samples = probes(0, 10, True) + probes(10, 12, False) + probes(12, 15, True)
    assert recovery(samples, until=15.0) is None


def test_a_silent_probe_blocks_recovery() -> None:
    # The database probe says nothing after the outage: the window is not proven clean.
    samples = probes(0, 10, True) + probes(10, 12, False)
    samples += [Sample("probe", "health", t / 10, t / 10 + 0.01, True) for t in range(120, 300)]
    assert recovery(samples) is None


def test_load_error_rate_over_threshold_blocks_recovery_under_it_does_not() -> None:
    base = probes(0, 10, True) + probes(10, 12, False) + probes(12, 30, True)
    load = [Sample("load", "w", t / 10, t / 10 + 0.01, t % 10 != 0) for t in range(120, 300)]  # 10% errors
    assert recovery(base + load, threshold=0.05) is None
    assert recovery(base + load, threshold=0.2) == pytest.approx(12.01)


def test_rpo_counts_back_from_the_fault_to_the_oldest_lost_write() -> None:
    lost = [LostWrite("7", 4.0, "missing"), LostWrite("9", 8.5, "changed")]
    assert rpo(lost, injected_at=10.0) == pytest.approx(6.0)
    assert rpo([], injected_at=10.0) == 0.0


def test_writes_acked_after_injection_and_lost_are_counted_apart() -> None:
    samples = probes(0, 10, True) + probes(10, 12, False) + probes(12, 30, True)
    lost = [LostWrite("1", 9.0, "missing"), LostWrite("2", 10.5, "missing"), LostWrite("3", 11.0, "changed")]
    m = figures(samples, lost=lost)
    assert m.lost_writes == 3
    assert m.lost_after_injection == 2
    assert m.rpo_s == pytest.approx(1.0)


def test_only_post_injection_losses_give_zero_rpo_but_are_still_counted() -> None:
    samples = probes(0, 30, True)
    m = figures(samples, lost=[LostWrite("5", 12.0, "missing")])
    assert m.rpo_s == 0.0 and m.lost_after_injection == 1


def test_objectives_by_tier_and_override() -> None:
    samples = probes(0, 10, True) + probes(10, 30, True)
    m = figures(samples)
    rto, rpo_ = judge("customer-facing", m)
    assert (rto.target_s, rpo_.target_s) == (900, 300) and rto.met and rpo_.met
    rto, rpo_ = judge("reporting", m, rto_s=60)
    assert (rto.target_s, rpo_.target_s) == (60, 4 * 3600)


def test_data_check_that_could_not_run_misses_rpo() -> None:
    samples = probes(0, 30, True)
    m = measure(
        samples=samples,
        injected_at=10,
        detected_at=None,
        verify_window_s=5,
        max_error_rate=0,
        required_probes=PROBES,
        observed_until=30,
        acked_writes=10,
        lost=None,
    )
    assert m.lost_writes is None and m.rpo_s is None
    _, rpo_ = judge("admin", m)
    assert not rpo_.met


def test_a_hung_probe_spans_its_wait_so_an_unrelated_success_is_no_recovery() -> None:
    # The database is frozen from 10 to 13. Health probes hang for their 1 s timeout; a probe
    # that never touches the database (admin metrics) keeps succeeding meanwhile.
    samples = probes(0, 10, True)
    t = 10.0
    while t < 13.0:
        ok_at = 13.0 if t > 12.0 else None  # in flight at the thaw: answered then
        samples.append(Sample("probe", "health", t, ok_at or t + 1.0, ok_at is not None))
        samples.append(Sample("probe", "admin", t, t + 0.01, True))
        t = round(t + 0.1, 4)
    samples += all_up(13.0, 170, ("health", "admin"))
    got = recovery(samples, required=("health", "admin"))
    assert got is not None and got == pytest.approx(13.0, abs=0.02)


def test_recovery_waits_until_every_probe_has_answered_again() -> None:
    # Health probes sent from 12.0 on are still waiting when the last failed one gives up
    # (12.9 + 1 s); they answer at the thaw, 13.5. The admin page answers throughout.
    samples = probes(0, 10, True)
    for i in range(0, 30):
        t = round(10 + i / 10, 4)
        waiting = t >= 12.0
        samples.append(Sample("probe", "health", t, 13.5 if waiting else t + 1.0, waiting))
        samples.append(Sample("probe", "admin", t, t + 0.01, True))
    samples += all_up(13.5, 150, ("health", "admin"))
    assert recovery(samples, required=("health", "admin")) == pytest.approx(13.5)


def test_degraded_runs_from_the_first_degraded_answer_to_the_next_plain_one() -> None:
    def health(at: float, degraded: bool, ok: bool = True) -> Sample:
        return Sample("probe", "health", at - 0.01, at, ok, 200 if ok else 503, None, degraded)

    samples = [
        health(1.0, False),
        health(2.0, True),
        health(3.0, True),
        health(3.5, False, ok=False),
        health(4.0, True),
        health(6.0, False),
        health(7.0, True),
    ]
    assert degraded_for(samples[:6], injected_at=1.5, observed_until=10.0) == pytest.approx(4.0)
    assert degraded_for(samples, injected_at=1.5, observed_until=10.0) == pytest.approx(8.0)  # not over
    assert degraded_for(samples[:2], injected_at=2.5, observed_until=10.0) == 0.0


def test_an_outage_after_the_first_recovery_extends_the_downtime() -> None:
    """Down 10-12 s, clean 12-20 s (a whole window), down again 20-23 s (the rollback's restart)."""
    samples = probes(0, 10, True) + probes(10, 12, False) + probes(12, 20, True) + probes(20, 23, False)
    samples += probes(23, 35, True)
    m = figures(samples)
    assert [o.start for o in m.outages] == [10.0, 20.0]
    assert [o.end for o in m.outages] == pytest.approx([12.01, 23.01])
    assert m.recovered_at == pytest.approx(23.01)
    assert m.downtime_s == pytest.approx(13.01)


def test_a_stray_failed_request_after_recovery_is_not_an_outage() -> None:
    samples = probes(0, 10, True) + probes(10, 12, False) + probes(12, 30, True)
    samples += [Sample("load", "create order", t / 10, t / 10 + 0.01, True) for t in range(120, 300)]
    samples.append(Sample("load", "create order", 20.0, 20.5, False, 0, "timed out"))
    threshold_measure = figures(samples, max_error_rate=0.05, observed_until=30.0)
    assert len(threshold_measure.outages) == 1
    assert threshold_measure.downtime_s == pytest.approx(2.01)


def test_a_burst_of_failed_requests_after_recovery_is_an_outage() -> None:
    samples = probes(0, 10, True) + probes(10, 12, False) + probes(12, 30, True)
    samples += [Sample("load", "create order", t / 10, t / 10 + 0.01, not 200 <= t < 210) for t in range(120, 300)]
    m = figures(samples, max_error_rate=0.05, observed_until=30.0)
    assert [o.start for o in m.outages] == [10.0, 20.0]
    assert m.recovered_at is not None and m.recovered_at > 20.5 and m.downtime_s is not None and m.downtime_s > 10


def test_what_happens_after_observation_ends_is_not_measured() -> None:
    """Failures after the end of verification (the load stopping) do not reopen the outage."""
    samples = probes(0, 10, True) + probes(10, 12, False) + probes(12, 20, True) + probes(20, 21, False)
    m = figures(samples, max_error_rate=0.0, observed_until=19.5)
    assert len(m.outages) == 1 and m.downtime_s == pytest.approx(2.01)


def test_a_failure_only_after_observation_ends_is_no_disruption() -> None:
    """A drill that settled with no disruption is not failed by a probe that failed later."""
    samples = probes(0, 20, True) + probes(20, 21, False)
    m = figures(samples, observed_until=19.5)
    assert m.disrupted_at is None and m.outages == () and m.downtime_s == 0.0


def test_a_second_outage_never_over_leaves_the_drill_unrecovered() -> None:
    samples = probes(0, 10, True) + probes(10, 12, False) + probes(12, 20, True) + probes(20, 30, False)
    m = figures(samples)
    assert len(m.outages) == 2 and m.outages[-1].end is None
    assert m.recovered_at is None and m.downtime_s is None
