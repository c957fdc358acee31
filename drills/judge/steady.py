"""Judging the steady state: the hypothesis checked before anything is broken.

A drill whose steady state fails proves nothing, so it stops there, and says
exactly why: each failing probe with its reasons (timed out, the status code,
refused), and each write flow the ledger cannot prove. A write flow whose
requests were answered 2xx but gave no id at `id_field` would otherwise let
the drill pass with "0 acknowledged writes, 0 lost", which is no evidence at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from drillbook.drills.observe.load.ledger import AckedWrite, Miss
from drillbook.drills.observe.samples import Sample
from drillbook.replicas.target import WriteFlow


@dataclass(frozen=True)
class Bounds:
    max_error_rate: float
    max_mean_latency_ms: float


@dataclass(frozen=True)
class Judgement:
    ok: bool
    detail: str
    """One line for the check and the timeline."""
    unproven: tuple[str, ...] = ()
    """One paragraph per write flow the ledger cannot prove (the drill stops with them)."""


def judge(
    window: Sequence[Sample],
    required_probes: Sequence[str],
    bounds: Bounds,
    *,
    write_flows: Sequence[WriteFlow] = (),
    load_so_far: Sequence[Sample] = (),
    writes: Sequence[AckedWrite] = (),
    misses: Sequence[Miss] = (),
) -> Judgement:
    load = [s for s in window if s.source == "load"]
    error_rate = sum(not s.ok for s in load) / len(load) if load else 1.0
    latency = sum(s.latency_ms for s in load) / len(load) if load else 0.0
    problems = []
    failing = probe_failures(window)
    if failing:
        problems.append(f"probes failed: {failing}")
    silent = [p for p in required_probes if not any(s.name == p and s.ok for s in window)]
    if silent:
        problems.append(f"no successful probe of: {', '.join(silent)}")
    if not load:
        problems.append("the load made no request")
    elif error_rate > bounds.max_error_rate:
        problems.append(f"error rate {error_rate:.1%} > {bounds.max_error_rate:.1%}{_load_reasons(load)}")
    if latency > bounds.max_mean_latency_ms:
        problems.append(f"mean latency {latency:.0f} ms > {bounds.max_mean_latency_ms:g} ms")
    unproven = tuple(_unproven(write_flows, load_so_far, writes, misses))
    if unproven:
        problems.append(f"{len(unproven)} write flow(s) not proven by the ledger")
    if problems:
        return Judgement(False, "; ".join(problems), unproven)
    return Judgement(True, f"{len(load)} requests, error rate {error_rate:.1%}, mean latency {latency:.0f} ms")


def probe_failures(samples: Sequence[Sample]) -> str:
    """`health (HTTP 500 ×3), search runs (timed out after 1 s ×4)`: each failing probe and why."""
    reasons: dict[str, Counter[str]] = {}
    for s in samples:
        if s.source == "probe" and not s.ok:
            reasons.setdefault(s.name, Counter())[s.error or "failed"] += 1
    return ", ".join(
        f"{name} ({', '.join(f'{why} ×{n}' for why, n in counts.most_common(3))})"
        for name, counts in sorted(reasons.items())
    )


def _load_reasons(load: Sequence[Sample]) -> str:
    counts = Counter(f"{s.name}: {s.error or f'HTTP {s.status}'}" for s in load if not s.ok)
    return " (" + ", ".join(f"{why} ×{n}" for why, n in counts.most_common(3)) + ")" if counts else ""


def _unproven(
    flows: Sequence[WriteFlow], load: Sequence[Sample], writes: Sequence[AckedWrite], misses: Sequence[Miss]
) -> list[str]:
    out = []
    names = sorted({s.name for s in load})
    for flow in flows:
        answered = [s for s in load if s.name == flow.name]
        acked = sum(w.flow == flow.name for w in writes)
        ok = sum(200 <= s.status < 300 for s in answered)
        if acked:
            continue
        if not answered:
            out.append(
                f"The write flow {flow.name!r} made no request: the load's request names are "
                f"{', '.join(map(repr, names)) or '(none)'}. Name the locustfile's request "
                f"`name={flow.name!r}`, or correct load.write_flows[].name in the target."
            )
        elif ok:
            miss = next((m for m in misses if m.flow == flow.name), None)
            looked = f"; the answer looks like {miss.shape}" if miss else ""
            out.append(
                f"The write flow {flow.name!r} had {ok} answers 2xx, but none gave an id at "
                f"id_field {flow.id_field!r}{looked}. Set load.write_flows[].id_field in the target to the "
                "path of the new record's id in the answer (dotted for a nested one, e.g. run.info.run_id): "
                "without it no acknowledged write is recorded and the data check proves nothing."
            )
        else:
            statuses = Counter(s.error or f"HTTP {s.status}" for s in answered)
            out.append(
                f"The write flow {flow.name!r} had {len(answered)} requests and none was acknowledged "
                f"({', '.join(f'{why} ×{n}' for why, n in statuses.most_common(3))}), before any fault."
            )
    return out
