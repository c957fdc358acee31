"""Findings about the team's service: a health check blind to the database, an OOM kill."""

from __future__ import annotations

from drillbook.drills.judge.findings import health_blind_to_database, oom
from drillbook.drills.observe.samples import Sample


def incident(health_ok: bool) -> list[Sample]:
    samples = []
    for t in range(30):
        at = 10 + t / 10
        samples.append(Sample("probe", "database", at, at + 0.5, False, 0, "connection refused"))
        samples.append(Sample("probe", "health", at, at + 0.01, health_ok, 200 if health_ok else 503))
        samples.append(Sample("probe", "search runs", at, at + 0.01, False, 503, "HTTP 503"))
    return samples


def blind(samples: list[Sample]) -> list[str]:
    return health_blind_to_database(
        samples,
        health_probe="health",
        database_probe="database",
        health_path="/health",
        key_flows=["search runs"],
        write_flows=["create run"],
    )


def test_a_health_endpoint_answering_while_the_database_is_down_is_a_finding() -> None:
    found = blind(incident(health_ok=True))
    assert len(found) == 1 and "/health" in found[0] and "does not notice the database" in found[0]
    assert "search runs ×30" in found[0]


def test_a_health_endpoint_that_fails_with_the_database_is_no_finding() -> None:
    assert blind(incident(health_ok=False)) == []


def test_no_database_failure_no_finding() -> None:
    assert blind([Sample("probe", "health", 1.0, 1.01, True, 200)]) == []


def test_an_oom_kill_names_the_container_and_its_limit() -> None:
    (found,) = oom([("app", 12.34)], {"app": "256m"})
    assert found.startswith("The kernel's OOM killer ended the container of 'app' at 12.3 s")
    assert "256m" in found
