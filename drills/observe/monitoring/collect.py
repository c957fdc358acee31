"""After the drill, before teardown: every alert Prometheus fired, with when it fired and
resolved, and when Alertmanager delivered it.

Prometheus writes an `ALERTS{alertstate="firing"}` sample at each evaluation
an alert fires in, at the evaluation's own instant; the raw samples (a range
query at one instant, not a stepped `query_range`) give each firing's first
evaluation exactly, and its resolution as the evaluation after its last. A
gap of more than one evaluation is a resolution and a new firing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import httpx

from drillbook.drills.observe.monitoring.monitor import Delivery
from drillbook.drills.observe.monitoring.plan import RUNBOOK_LABEL
from drillbook.errors import ReplicaError
from drillbook.replicas import loopback

HIDDEN = frozenset({"__name__", "alertstate", RUNBOOK_LABEL})


@dataclass(frozen=True)
class Firing:
    name: str
    labels: tuple[tuple[str, str], ...]
    """The alert's labels, without Prometheus's and drillbook's own."""
    fired_at: float
    resolved_at: float | None
    """None: still firing when the drill ended."""
    delivered_at: float | None
    """When Alertmanager's first notification of it reached the sink; None: not delivered."""
    receiver: str | None
    runbook: bool
    """One of the shipped runbook rules' alerts, not the team's."""
    suppressed: str | None = None
    """Why Alertmanager held it back (`inhibited by X`, `silenced`), as its API said; None: it did not."""


def query_alerts(prometheus_url: str, lookback_s: float) -> list[tuple[dict[str, str], list[float]]]:
    """Each firing alert's labels and the instants of its raw samples (Unix seconds)."""
    window = max(1, int(lookback_s) + 1)
    try:
        answer = loopback.get(
            prometheus_url + "/api/v1/query", params={"query": f'ALERTS{{alertstate="firing"}}[{window}s]'}, timeout=5.0
        )
        answer.raise_for_status()
        result = answer.json()["data"]["result"]
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise ReplicaError(f"The replica's Prometheus did not answer the alerts query: {exc}") from exc
    return [({str(k): str(v) for k, v in r["metric"].items()}, [float(ts) for ts, _v in r["values"]]) for r in result]


def firings(
    series: Sequence[tuple[Mapping[str, str], Sequence[float]]],
    deliveries: Sequence[Delivery],
    evaluation_s: float,
    to_drill_clock: Callable[[float], float],
    last_evaluation: float,
    suppressed: Mapping[tuple[tuple[str, str], ...], str] | None = None,
) -> list[Firing]:
    """Every firing on the drill's clock, the earliest first; `last_evaluation` is the drill's
    clock at the end, before which a firing that stopped had resolved."""
    out = []
    for labels, instants in series:
        shown = tuple(sorted((k, v) for k, v in labels.items() if k not in HIDDEN))
        runbook = labels.get(RUNBOOK_LABEL) == "runbook"
        name = labels.get("alertname", "")
        for first, last in _runs(sorted(to_drill_clock(i) for i in instants), evaluation_s):
            resolved = last + evaluation_s
            delivered = _delivered(deliveries, dict(shown), first, resolved)
            out.append(
                Firing(
                    name=name,
                    labels=tuple(p for p in shown if p[0] != "alertname"),
                    fired_at=round(first, 3),
                    resolved_at=round(resolved, 3) if resolved <= last_evaluation else None,
                    delivered_at=None if delivered is None else round(delivered.received_at, 3),
                    receiver=None if delivered is None else delivered.receiver,
                    runbook=runbook,
                    suppressed=_suppressed(suppressed or {}, dict(shown)),
                )
            )
    return sorted(out, key=lambda f: (f.fired_at, f.name))


def _suppressed(held: Mapping[tuple[tuple[str, str], ...], str], labels: Mapping[str, str]) -> str | None:
    for their, why in held.items():
        if all(dict(their).get(k) == v for k, v in labels.items()):
            return why
    return None


def _runs(instants: Sequence[float], evaluation_s: float) -> list[tuple[float, float]]:
    runs: list[tuple[float, float]] = []
    for at in instants:
        if runs and at - runs[-1][1] <= evaluation_s * 1.5:
            runs[-1] = (runs[-1][0], at)
        else:
            runs.append((at, at))
    return runs


def _delivered(
    deliveries: Sequence[Delivery], labels: Mapping[str, str], first: float, until: float
) -> Delivery | None:
    """The first firing notification of this alert at or after it fired, before it resolved."""
    for d in sorted(deliveries, key=lambda d: d.received_at):
        mine = all(dict(d.labels).get(k) == v for k, v in labels.items())
        if mine and d.status == "firing" and first - 0.5 <= d.received_at <= until + 60.0:
            return d
    return None
