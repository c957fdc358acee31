"""A replica's services start two at a time, each once what it `depends_on` has started (and
answers, for `service_healthy`)."""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from types import FrameType

import pytest

from drillbook.errors import ReplicaError
from drillbook.replicas import starting
from drillbook.replicas.target import Service, Target, start_order


@pytest.fixture
def order(sample_target: Target) -> list[Service]:
    """The sample stack, its app waiting for a healthy database."""
    services = tuple(
        dataclasses.replace(s, depends_on={"db": "service_healthy"}) if s.name == "app" else s
        for s in sample_target.services
    )
    ordered = start_order(services)
    assert [s.name for s in ordered] == ["db", "payments", "app"]
    return ordered


def test_two_start_at_once_and_a_dependent_after_its_database_answers(order: list[Service]) -> None:
    # Started one after another, the first two would never meet at the barrier: it breaks after 10 s.
    together = threading.Barrier(starting.AT_ONCE, timeout=10)
    log: list[str] = []

    def run(service: Service) -> None:
        if service.name in ("db", "payments"):
            together.wait()
        log.append(f"started {service.name}")

    starting.in_order(order, run, lambda name: log.append(f"{name} answers"))
    assert sorted(log[:2]) == ["started db", "started payments"]
    assert log[2:] == ["db answers", "started app"]


def test_a_service_whose_dependency_failed_is_not_started_and_the_failure_is_raised(order: list[Service]) -> None:
    started: list[str] = []

    def run(service: Service) -> None:
        if service.name == "db":
            raise ReplicaError("the engine refused db")
        started.append(service.name)

    with pytest.raises(ReplicaError, match="refused db"):
        starting.in_order(order, run, lambda _name: None)
    assert started == ["payments"]


def test_a_long_chain_of_dependencies_never_holds_both_threads_on_queued_work(sample_target: Target) -> None:
    # Each needs the one before it: the thread that takes a service finds what it needs running or done.
    base = sample_target.services[0]
    needs = [{f"s{i - 1}": "service_started"} if i else {} for i in range(6)]
    chain = [dataclasses.replace(base, name=f"s{i}", depends_on=needs[i]) for i in range(6)]
    log: list[str] = []
    starting.in_order(start_order(tuple(chain)), lambda s: log.append(s.name), lambda _name: None)
    assert log == [f"s{i}" for i in range(6)]


def test_an_interrupt_returns_once_the_starts_under_way_have_ended_and_starts_no_other(
    order: list[Service],
) -> None:
    # Teardown lists the drill's objects when it runs: a container created after that is left behind.
    creating = threading.Event()
    created: list[str] = []

    def run(service: Service) -> None:
        creating.set()
        time.sleep(0.3)  # the engine creating the container
        created.append(service.name)

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt("SIGALRM")

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(KeyboardInterrupt):
            starting.in_order(order, run, lambda _name: None)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert creating.is_set()
    assert sorted(created) == ["db", "payments"], "the two under way end before the interrupt is raised"
    time.sleep(0.5)
    assert sorted(created) == ["db", "payments"], "and app, still queued, is never started"
