"""The runbook's Phase 5 verification checklist, each item judged with its evidence.

1. Health checks pass   2. Key user flows work   3. Performance metrics normal
4. Error rates back to normal   5. No alerts firing

All five are judged over the same stretch: from the recovery (or, with no
disruption, from the fault) to the end of observation, so each item shows what
an engineer would have seen right after the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drillbook.drills.observe.samples import Sample


@dataclass(frozen=True)
class Item:
    step: int
    name: str
    passed: bool
    evidence: str


@dataclass(frozen=True)
class Window:
    start: float
    end: float
    why: str


def window(recovered_at: float | None, disrupted_at: float | None, injected_at: float, end: float) -> Window:
    if recovered_at is not None:
        return Window(recovered_at, end, "from the recovery to the end of observation")
    if disrupted_at is None:
        return Window(injected_at, end, "from the fault to the end (no disruption)")
    return Window(end, end, "never: the service did not recover")


def checklist(
    samples: Sequence[Sample],
    span: Window,
    *,
    health_probe: str,
    key_flows: Sequence[str],
    write_flows: Sequence[str],
    metrics_status: str | None,
    max_error_rate: float,
    max_mean_latency_ms: float,
    alerts_since: Callable[[float], list[str]],
) -> list[Item]:
    inside = [s for s in samples if span.start <= s.at <= span.end]
    load = [s for s in inside if s.source == "load"]
    health = [s for s in inside if s.source == "probe" and s.name == health_probe]
    ok = sum(s.ok for s in health)
    firing = alerts_since(span.start) if span.end > span.start else ["(no stretch to judge)"]
    return [
        Item(
            1,
            "Health checks pass",
            bool(health) and ok == len(health),
            f"{ok} of {len(health)} health probes succeeded {span.why}",
        ),
        _flows(inside, (*key_flows, *write_flows), max_error_rate),
        _performance(load, metrics_status, max_mean_latency_ms),
        _errors(load, max_error_rate),
        Item(
            5,
            "No alerts firing",
            not firing,
            f"fired {span.why}: {', '.join(firing)}" if firing else f"no rule fired {span.why}",
        ),
    ]


def _flows(inside: Sequence[Sample], names: Sequence[str], max_error_rate: float) -> Item:
    flows = []
    for name in names:
        hits = [s for s in inside if s.name == name]
        flows.append((name, sum(s.ok for s in hits), len(hits)))
    flows_ok = all(n and (n - good) / n <= max_error_rate for _, good, n in flows)
    detail = "; ".join(f"{name}: {good}/{n}" for name, good, n in flows) or "no key flow described by the target"
    return Item(2, "Key user flows work", bool(flows) and flows_ok, detail)


def _performance(load: Sequence[Sample], metrics_status: str | None, max_mean_latency_ms: float) -> Item:
    latency = sum(s.latency_ms for s in load) / len(load) if load else None
    metrics_ok = metrics_status is None or metrics_status == "HTTP 200"
    detail = (
        f"mean latency {latency:.0f} ms (normal: ≤ {max_mean_latency_ms:g} ms)" if latency is not None else "no traffic"
    )
    if metrics_status is not None:
        detail += f"; metrics endpoint after recovery: {metrics_status}"
    return Item(
        3, "Performance metrics normal", latency is not None and latency <= max_mean_latency_ms and metrics_ok, detail
    )


def _errors(load: Sequence[Sample], max_error_rate: float) -> Item:
    errors = sum(not s.ok for s in load)
    rate = errors / len(load) if load else None
    detail = f"{errors} of {len(load)} requests failed"
    if rate is not None:
        detail += f" ({rate:.1%}; normal: ≤ {max_error_rate:.1%})"
    return Item(4, "Error rates back to normal", rate is not None and rate <= max_error_rate, detail)
