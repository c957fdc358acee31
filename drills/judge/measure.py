"""The figures of a drill, exactly as docs/design.md defines them.

Pure functions of the samples, the ledger and the data check, so they can be
tested on constructed timelines. Every instant is seconds since drill start.

- disrupted_at: first client-visible failure at or after injected_at.
- an outage: from a client-visible failure to the start of the first
  `verify_window` after it in which every probe and key flow succeeded (no
  failed probe overlaps it, from the probe's start to its end) and the load's
  error rate stayed within the threshold. A later failed probe, or a load
  failure that begins a window over the threshold, begins the next outage.
- recovered_at: the end of the last outage, the start of the clean stretch that
  lasts to the end of observation (the end of the drill's verification); an
  outage after a first recovery (a rollback's own restart, a second failure)
  therefore extends the downtime.
- downtime = recovered_at - disrupted_at; detect = detected_at - injected_at;
  recover = recovered_at - detected_at.
- RPO = injected_at - the earliest acked_at of a lost write (0 if none lost).
- degraded = from the first probe answer after the fault that says the service
  runs degraded to the next plain answer of that probe after its last such one;
  reported beside downtime, never part of it.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from drillbook.drills.observe.samples import Sample


@dataclass(frozen=True)
class LostWrite:
    id: str
    acked_at: float
    reason: str
    """"missing" or "changed" (the row's digest differs from the acknowledged payload)."""
    detail: str = ""
    """For a changed row, the first field that differs and both values, as compared."""


@dataclass(frozen=True)
class Outage:
    start: float
    end: float | None
    """None: not over when observation ended."""


@dataclass(frozen=True)
class Measurements:
    injected_at: float | None
    disrupted_at: float | None
    detected_at: float | None
    recovered_at: float | None
    downtime_s: float | None
    time_to_detect_s: float | None
    time_to_recover_s: float | None
    acked_writes: int
    lost_writes: int | None
    lost_after_injection: int | None
    rpo_s: float | None
    """None when the data check could not run (the database never came back)."""
    degraded_s: float = 0.0
    """How long the service said it ran degraded (answering, a part of it failing or on its
    fallback): from its first such answer after the fault to its next plain one."""
    outages: tuple[Outage, ...] = ()
    """Every outage from the first disruption on; downtime spans them all."""


def disrupted_at(samples: Sequence[Sample], injected_at: float) -> float | None:
    failures = [s.at for s in samples if not s.ok and s.at >= injected_at]
    return min(failures, default=None)


def recovered_at(
    samples: Sequence[Sample],
    *,
    disrupted_at: float,
    verify_window_s: float,
    max_error_rate: float,
    required_probes: Sequence[str],
    observed_until: float,
) -> float | None:
    """The first instant from which a whole verification window was clean.

    The window starts only once every required probe has answered again after its
    last failure: a probe that never touches the broken part (an admin page) can
    answer while the others still wait, and proves nothing about them.
    """
    after = sorted((s for s in samples if s.at >= disrupted_at), key=lambda s: s.at)
    # A failed probe stands for the whole time its user waited, start to end: a
    # probe that hung on the frozen database says "down" until it gave up.
    failures = sorted((s.start, s.end) for s in after if s.source == "probe" and not s.ok)
    failure_starts = [start for start, _ in failures]
    latest_end = list(itertools.accumulate((end for _, end in failures), max))
    probe_successes = {
        name: [s.at for s in after if s.source == "probe" and s.name == name and s.ok] for name in required_probes
    }
    own_failures = {
        name: _Failures([(s.start, s.end) for s in after if s.source == "probe" and s.name == name and not s.ok])
        for name in required_probes
    }
    load = [s for s in after if s.source == "load"]
    load_at = [s.at for s in load]
    load_failed_before = [0]
    for s in load:
        load_failed_before.append(load_failed_before[-1] + (not s.ok))

    for candidate in (s.at for s in after if s.ok):
        end = candidate + verify_window_s
        if end > observed_until:
            return None
        begun = bisect.bisect_right(failure_starts, end)
        if begun and latest_end[begun - 1] >= candidate:
            continue
        if not all(_any_within(times, candidate, end) for times in probe_successes.values()):
            continue
        if not all(_back_by(candidate, own_failures[name], probe_successes[name]) for name in required_probes):
            continue
        first, last = bisect.bisect_left(load_at, candidate), bisect.bisect_right(load_at, end)
        total = last - first
        failed = load_failed_before[last] - load_failed_before[first]
        if total and failed / total > max_error_rate:
            continue
        return candidate
    return None


def outages(
    samples: Sequence[Sample],
    *,
    disrupted_at: float,
    verify_window_s: float,
    max_error_rate: float,
    required_probes: Sequence[str],
    observed_until: float,
) -> list[Outage]:
    """Every outage from `disrupted_at` on, each ended by a clean verification window."""
    seen = [s for s in samples if s.at <= observed_until]
    found: list[Outage] = []
    start: float | None = disrupted_at
    while start is not None:
        end = recovered_at(
            seen,
            disrupted_at=start,
            verify_window_s=verify_window_s,
            max_error_rate=max_error_rate,
            required_probes=required_probes,
            observed_until=observed_until,
        )
        found.append(Outage(start, end))
        start = None if end is None else next_disruption(seen, end, verify_window_s, max_error_rate)
    return found


def next_disruption(
    samples: Sequence[Sample], after: float, verify_window_s: float, max_error_rate: float
) -> float | None:
    """The first failure after a recovery that begins another outage: a failed probe, or a
    failed request from which the load's error rate over a verification window exceeds the
    threshold (a stray failed request among many good ones is not an outage)."""
    probe = min((s.at for s in samples if s.source == "probe" and not s.ok and s.at > after), default=None)
    load = sorted((s for s in samples if s.source == "load" and s.at > after), key=lambda s: s.at)
    load_at = [s.at for s in load]
    for i, s in enumerate(load):
        if probe is not None and s.at >= probe:
            break
        if s.ok:
            continue
        last = bisect.bisect_right(load_at, s.at + verify_window_s)
        window = load[i:last]
        if sum(not w.ok for w in window) / len(window) > max_error_rate:
            return s.at
    return probe


class _Failures:
    """One probe's failures, for asking quickly when the last one begun by t ended."""

    def __init__(self, intervals: list[tuple[float, float]]) -> None:
        intervals.sort()
        self.starts = [start for start, _ in intervals]
        self.latest_end = list(itertools.accumulate((end for _, end in intervals), max))

    def ended_by(self, instant: float) -> float:
        begun = bisect.bisect_right(self.starts, instant)
        return self.latest_end[begun - 1] if begun else float("-inf")


def _back_by(instant: float, failures: _Failures, successes: Sequence[float]) -> bool:
    """Has this probe succeeded, at or before `instant`, since its last failure began?"""
    i = bisect.bisect_right(successes, failures.ended_by(instant))
    return i < len(successes) and successes[i] <= instant


def _any_within(times: Sequence[float], start: float, end: float) -> bool:
    i = bisect.bisect_left(times, start)
    return i < len(times) and times[i] <= end


def degraded_for(samples: Sequence[Sample], injected_at: float, observed_until: float) -> float:
    """From the first probe answer after the fault that said "degraded" to the first plain
    answer of that probe after its last degraded one (or the end of observation)."""
    after = sorted((s for s in samples if s.source == "probe" and s.at >= injected_at), key=lambda s: s.at)
    said = [s for s in after if s.degraded]
    if not said:
        return 0.0
    probe, last = said[-1].name, said[-1].at
    plain = next((s.at for s in after if s.name == probe and s.at > last and s.ok and not s.degraded), observed_until)
    return plain - said[0].at


def lost_after(lost: Sequence[LostWrite], injected_at: float | None) -> list[LostWrite]:
    """Lost writes acknowledged after the fault: a recovery must never lose these."""
    return [w for w in lost if injected_at is not None and w.acked_at > injected_at]


def rpo(lost: Sequence[LostWrite], injected_at: float | None) -> float:
    """How far back from the fault acknowledged data was lost; 0 when nothing was."""
    if not lost or injected_at is None:
        return 0.0
    return max(0.0, injected_at - min(w.acked_at for w in lost))


def measure(
    *,
    samples: Sequence[Sample],
    injected_at: float | None,
    detected_at: float | None,
    verify_window_s: float,
    max_error_rate: float,
    required_probes: Sequence[str],
    observed_until: float,
    acked_writes: int,
    lost: Sequence[LostWrite] | None,
) -> Measurements:
    disrupted = recovered = downtime = None
    found: list[Outage] = []
    # Nothing after the end of observation is measured, not even the first failure: a probe that
    # failed while verification's last snapshot was taken (CI, 2026-12-04) began no outage.
    samples = [s for s in samples if s.at <= observed_until]
    if injected_at is not None:
        disrupted = disrupted_at(samples, injected_at)
        if disrupted is None:
            downtime = 0.0
        else:
            found = outages(
                samples,
                disrupted_at=disrupted,
                verify_window_s=verify_window_s,
                max_error_rate=max_error_rate,
                required_probes=required_probes,
                observed_until=observed_until,
            )
            recovered = found[-1].end
            downtime = None if recovered is None else recovered - disrupted
    after = None if lost is None else lost_after(lost, injected_at)
    return Measurements(
        injected_at=injected_at,
        disrupted_at=disrupted,
        detected_at=detected_at,
        recovered_at=recovered,
        downtime_s=downtime,
        time_to_detect_s=_diff(detected_at, injected_at),
        time_to_recover_s=_diff(recovered, detected_at),
        acked_writes=acked_writes,
        lost_writes=None if lost is None else len(lost),
        lost_after_injection=None if after is None else len(after),
        rpo_s=None if lost is None else rpo(lost, injected_at),
        degraded_s=0.0 if injected_at is None else degraded_for(samples, injected_at, observed_until),
        outages=tuple(found),
    )


def _diff(later: float | None, earlier: float | None) -> float | None:
    if later is None or earlier is None:
        return None
    return later - earlier
