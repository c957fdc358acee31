"""Snapshots off the drill's thread, but the logs read before `take` returns: a recovery that
replaces a container at once must not leave the first alert's snapshot without its log."""

from __future__ import annotations

import threading
from typing import cast

from drillbook.drills import spec
from drillbook.drills.observe.diagnostics import Background, Gatherer
from drillbook.errors import ReplicaError
from drillbook.replicas.replica import Replica
from tests.conftest import CATALOG


class StandIn:
    """Only what a snapshot asks of a replica; the database and HTTP addresses refuse."""

    def __init__(self) -> None:
        self.target = spec.load(CATALOG / "db-outage.yaml").target
        self.replaced = False
        self.slow = threading.Event()
        self.cut_off: set[str] = set()
        self.node_back = threading.Event()

    def logs(self, service: str, tail: int) -> bytes:
        if service in self.cut_off:  # its node answers only at the client's timeout
            self.node_back.wait(10)
        if self.replaced:
            raise ReplicaError(f"can not get logs from container {service}: marked for removal")
        return f"{service} ERROR payment call failed\n".encode()

    def url(self) -> str:
        self.slow.wait(5)  # the rest of the snapshot takes its time; the logs were read before it
        return "http://127.0.0.1:9"

    def db_conninfo(self, timeout_s: float = 2.0) -> str:
        return "host=127.0.0.1 port=9 connect_timeout=1"

    def cpu_ns(self, service: str) -> int | None:
        raise ReplicaError("no cgroup here")


def test_the_logs_are_read_before_take_returns_and_survive_the_container() -> None:
    replica = StandIn()
    recorded: list[str] = []
    background = Background(
        Gatherer(cast(Replica, replica), 0.02, lambda: 1.0), lambda _kind, line: recorded.append(line)
    )
    background.take("first alert")
    replica.replaced = True  # the recovery recreates every container right away
    replica.slow.set()
    (snapshot,) = background.wait(timeout_s=20)
    section = snapshot.section("log_errors")
    assert {service for service, _line in section.rows} == {s.name for s in replica.target.services}
    assert "unreadable" not in section.reason
    assert recorded and recorded[0].startswith("first alert: snapshot taken in")


def test_a_log_on_a_node_that_does_not_answer_does_not_hold_the_recovery_back() -> None:
    """`take` returns after `logs_wait_s` whatever a node does: the slow log is still unread when
    it does (its node answers only after `take` has returned), and the snapshot says so."""
    replica = StandIn()
    replica.cut_off = {"db"}
    background = Background(Gatherer(cast(Replica, replica), 0.02, lambda: 1.0, logs_wait_s=0.2), lambda *_: None)
    background.take("first alert")
    replica.node_back.set()
    replica.slow.set()
    (snapshot,) = background.wait(timeout_s=20)
    section = snapshot.section("log_errors")
    assert "db" not in {service for service, _line in section.rows}
    assert "unreadable: db: not read within 0.2 s (its node did not answer)" in section.reason
    assert {service for service, _line in section.rows} == {s.name for s in replica.target.services} - {"db"}
