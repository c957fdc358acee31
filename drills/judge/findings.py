"""What a drill found out about the team's service, beyond the verdict.

Each finding is a sentence a person can act on. The kernel's OOM killer comes
first: when it ended a container, every other symptom follows from that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from drillbook.drills.observe.samples import Sample


def oom(killed: Sequence[tuple[str, float]], limits: dict[str, str | None]) -> list[str]:
    """One finding per container the kernel's OOM killer ended."""
    return [
        f"The kernel's OOM killer ended the container of {service!r} at {at:.1f} s: it exceeded its memory "
        f"limit ({limits.get(service) or 'none set'}). Everything after that follows from it; raise the limit "
        "or find what grows (the memory lane of the report)."
        for service, at in killed
    ]


def health_blind_to_database(
    samples: Sequence[Sample],
    *,
    health_probe: str,
    database_probe: str,
    health_path: str,
    key_flows: Sequence[str],
    write_flows: Sequence[str],
) -> list[str]:
    """A finding when the database was down while the health endpoint kept answering 2xx and
    users' flows failed: a health check that does not notice the database keeps an
    orchestrator or load balancer sending traffic to a service that cannot serve it."""
    down = sorted((s.start, s.end) for s in samples if s.source == "probe" and s.name == database_probe and not s.ok)
    if not down:
        return []
    first, last = down[0][0], max(end for _, end in down)

    def during(s: Sample) -> bool:
        return first <= s.at <= last

    health = [s for s in samples if s.source == "probe" and s.name == health_probe and during(s)]
    failed = Counter(
        s.name
        for s in samples
        if not s.ok and during(s) and (s.name in key_flows or (s.source == "load" and s.name in write_flows))
    )
    if len(health) < 3 or not failed or sum(s.ok for s in health) / len(health) < 0.9:
        return []
    flows = ", ".join(f"{name} ×{n}" for name, n in failed.most_common(4))
    return [
        f"The health endpoint {health_path} kept answering 2xx ({sum(s.ok for s in health)} of {len(health)} "
        f"probes) for the {last - first:.1f} s the database was down, while users' requests failed ({flows}): "
        "the health check does not notice the database. An orchestrator or load balancer trusting it keeps "
        "sending traffic to a service that cannot serve it; make it (or a readiness check) query the database."
    ]
