"""While the drill runs: drillbook's observations pushed to the replica's Pushgateway, and
every notification Alertmanager delivers put on the timeline as it arrives.

The pushed gauges are what the shipped runbook rules (and any rule of the
team's) read: each probe's last answer, the load's error ratio and mean
latency over its last whole second, each container's memory against its
limit. The push goes to 127.0.0.1; nothing in the replica calls the host. A
push or a read that fails is said once on the timeline and the drill goes on:
monitoring is what is measured here, never what keeps the fault in place.
"""

from __future__ import annotations

import math
import pathlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from drillbook.contract import EventKind
from drillbook.drills.observe.load.ledger import Tail, parse_request
from drillbook.drills.observe.samples import MemorySample, Sample
from drillbook.replicas import loopback

JOB = "drillbook"


@dataclass(frozen=True)
class Delivery:
    """One alert in one notification the sink received, on the drill's clock."""

    received_at: float
    receiver: str
    status: str
    """`firing` or `resolved`, as Alertmanager sent it."""
    labels: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return dict(self.labels).get("alertname", "")


class Monitor:
    def __init__(
        self,
        urls: dict[str, str],
        *,
        probes: Callable[[], Sequence[Sample]],
        memory: Callable[[], Sequence[MemorySample]],
        requests_file: pathlib.Path,
        now: Callable[[], float],
        to_drill_clock: Callable[[float], float],
        from_monotonic: Callable[[float], float],
        on_event: Callable[[EventKind, str, float | None], object],
        interval_s: float,
        shown: Callable[[Delivery], bool] = lambda _d: True,
    ) -> None:
        self.urls = urls
        self._probes, self._memory, self._now = probes, memory, now
        self._requests = Tail(requests_file)
        self._to_drill_clock = to_drill_clock
        """Unix time (the sink's) to the drill's clock."""
        self._from_monotonic = from_monotonic
        """The load's monotonic instants to the drill's clock."""
        self._on_event = on_event
        self._shown = shown
        self.interval_s = interval_s
        self.deliveries: list[Delivery] = []
        self.suppressed: dict[tuple[tuple[str, str], ...], str] = {}
        """Each alert Alertmanager held back, by its labels: why (inhibited by which alert, silenced)."""
        self._seen = 0
        self._seconds: dict[int, list[float]] = {}
        """Per whole second of the drill: requests, errors, latency sum (seconds)."""
        self._ratio: float | None = None
        self._latency: float | None = None
        self._failed: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drillbook-monitoring", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval_s)

    def tick(self) -> None:
        """One push and one read of the sink (the thread's loop; tests call it directly)."""
        self._guarded("push to the Pushgateway", self.push)
        self._guarded("read the alert sink", self.read_deliveries)
        self._guarded("read Alertmanager's alerts", self.read_alertmanager)

    def registry(self) -> CollectorRegistry:
        """The gauges as they stand now."""
        registry = CollectorRegistry()
        up = Gauge("drillbook_probe_up", "1 if the probe's last answer succeeded", ["probe"], registry=registry)
        last: dict[str, Sample] = {}
        for sample in self._probes():
            if sample.name not in last or sample.at >= last[sample.name].at:
                last[sample.name] = sample
        for name, sample in sorted(last.items()):
            up.labels(probe=name).set(1.0 if sample.ok else 0.0)
        self._load_second()
        if self._ratio is not None and self._latency is not None:
            ratio = Gauge("drillbook_load_error_ratio", "failed share of the last second's requests", registry=registry)
            ratio.set(self._ratio)
            latency = Gauge(
                "drillbook_load_latency_mean_seconds", "mean latency of the last second's requests", registry=registry
            )
            latency.set(self._latency)
        used = Gauge("drillbook_container_memory_bytes", "container memory in use", ["service"], registry=registry)
        limit = Gauge(
            "drillbook_container_memory_limit_bytes", "container memory limit", ["service"], registry=registry
        )
        newest: dict[str, MemorySample] = {}
        for m in self._memory():
            newest[m.service] = m
        for service, m in sorted(newest.items()):
            used.labels(service=service).set(m.used_bytes)
            limit.labels(service=service).set(m.limit_bytes)
        return registry

    def push(self) -> None:
        push_to_gateway(self.urls["pushgateway"], job=JOB, registry=self.registry(), timeout=2.0)

    def _load_second(self) -> None:
        """The last whole second's error ratio and mean latency; kept while a second has none."""
        for row in self._requests.read():
            record = parse_request(row)
            at = self._from_monotonic(record.end if record.ok else record.start)
            bucket = self._seconds.setdefault(math.floor(at), [0.0, 0.0, 0.0])
            bucket[0] += 1
            bucket[1] += not record.ok
            bucket[2] += record.end - record.start
        finished = math.floor(self._now()) - 1
        done = self._seconds.get(finished)
        if done and done[0]:
            self._ratio, self._latency = done[1] / done[0], done[2] / done[0]
        for second in [s for s in self._seconds if s < finished - 5]:
            del self._seconds[second]

    def read_deliveries(self) -> None:
        answer = loopback.get(self.urls["alertsink"] + "/deliveries", timeout=2.0)
        answer.raise_for_status()
        received = answer.json()
        for delivery in received[self._seen :]:
            for one in _alerts(delivery, self._to_drill_clock):
                self.deliveries.append(one)
                if self._shown(one):
                    shown = ", ".join(f"{k}={v}" for k, v in one.labels if k != "alertname")
                    self._on_event(
                        EventKind.ALERT,
                        f"your alert {one.name} {one.status} (delivered to {one.receiver}; {shown or 'no labels'})",
                        one.received_at,
                    )
        self._seen = len(received)

    def read_alertmanager(self) -> None:
        """Alertmanager's own view (its API): which alerts it suppresses, and why."""
        answer = loopback.get(self.urls["alertmanager"] + "/api/v2/alerts", timeout=2.0)
        answer.raise_for_status()
        alerts = answer.json()
        names = {str(a.get("fingerprint")): str((a.get("labels") or {}).get("alertname", "")) for a in alerts}
        for a in alerts:
            status = a.get("status") or {}
            if status.get("state") != "suppressed":
                continue
            labels = tuple(sorted((str(k), str(v)) for k, v in (a.get("labels") or {}).items()))
            inhibitors = [names.get(str(f), str(f)) for f in status.get("inhibitedBy") or []]
            why = f"inhibited by {', '.join(sorted(set(inhibitors)))}" if inhibitors else "silenced"
            self.suppressed.setdefault(labels, why)

    def firing_now(self) -> list[Delivery]:
        """The alerts whose newest notification says firing, as the engineer's pager shows them."""
        newest: dict[tuple[tuple[str, str], ...], Delivery] = {}
        for d in list(self.deliveries):
            if self._shown(d):
                newest[d.labels] = d
        return [d for d in newest.values() if d.status == "firing"]

    def _guarded(self, what: str, call: Callable[[], None]) -> None:
        try:
            call()
        except (httpx.HTTPError, OSError, ValueError) as exc:
            if what not in self._failed:
                self._failed.add(what)
                self._on_event(EventKind.ALERT, f"monitoring could not {what} ({exc}); it keeps trying", None)


def _alerts(delivery: dict[str, Any], to_drill_clock: Callable[[float], float]) -> list[Delivery]:
    at = to_drill_clock(float(delivery.get("received_at", 0.0)))
    payload = delivery.get("payload") or {}
    return [
        Delivery(
            received_at=at,
            receiver=str(delivery.get("receiver") or payload.get("receiver") or ""),
            status=str(alert.get("status", "")),
            labels=tuple(sorted((str(k), str(v)) for k, v in (alert.get("labels") or {}).items())),
        )
        for alert in payload.get("alerts") or []
    ]
