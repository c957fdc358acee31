"""Memory of the replica's containers, sampled from the engine while the drill runs.

Feeds the `memory_exhaustion` rule (memory above 95% of the limit) and the
report's memory chart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from drillbook.contract import EventKind
from drillbook.drills.observe.samples import MemorySample
from drillbook.replicas.protocols import Containers


class MemorySampler:
    def __init__(
        self,
        replica: Containers,
        interval_s: float,
        clock: Callable[[], float],
        on_event: Callable[[EventKind, str], object] = lambda _k, _d: None,
    ) -> None:
        self.replica = replica
        self._on_event = on_event
        self.oom_killed: list[tuple[str, float]] = []
        self.interval_s = interval_s
        self._clock = clock
        self.samples: list[MemorySample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drillbook-memory", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        services = [s.name for s in self.replica.target.services]
        while not self._stop.is_set():
            for service in services:
                reading = self.replica.memory(service)
                if reading is not None:
                    self.samples.append(MemorySample(service, self._clock(), reading[0], reading[1]))
                elif self.replica.oom_killed(service) and not any(s == service for s, _ in self.oom_killed):
                    self.oom_killed.append((service, self._clock()))
                    self._on_event(EventKind.OOM, f"the kernel OOM-killed {service!r}: it exceeded its memory limit")
            self._stop.wait(self.interval_s)
