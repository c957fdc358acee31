"""The load worker with the user classes teams write: a real locust process against real HTTP on loopback."""

from __future__ import annotations

import pathlib
import time

import pytest

from drillbook.drills.observe.load.process import LoadProcess
from drillbook.errors import ReplicaError
from drillbook.replicas.target import WriteFlow
from tests.fakes import FakeApp

pytestmark = pytest.mark.slow  # a locust process each: make test runs them, make unit does not

FAST_HTTP = """
from locust import FastHttpUser, constant_throughput, task


class Tickets(FastHttpUser):
    wait_time = constant_throughput(1)

    @task
    def create(self):
        self.client.post("/v1/tickets", json={"title": "printer on fire", "priority": 2}, name="create ticket")

    @task
    def list(self):
        self.client.get("/v1/tickets", name="list tickets")
"""


def load_of(
    tmp_path: pathlib.Path, locustfile: str, app: FakeApp, users: int = 2, timeout_s: float = 1.0
) -> LoadProcess:
    """A load process of `locustfile` on the started `app`, at 5 requests a second per user."""
    path = tmp_path / "locustfile.py"
    path.write_text(locustfile)
    port = app.start()
    return LoadProcess(
        locustfile=path,
        host=f"http://127.0.0.1:{port}",
        users=users,
        rate=5 * users,
        timeout_s=timeout_s,
        write_flows=(WriteFlow("create ticket", "ticket.id", ("title", "priority")),),
        out=tmp_path / "load",
        max_seconds=30,
    )


def run_load(tmp_path: pathlib.Path, locustfile: str, app: FakeApp, seconds: float = 2.0) -> LoadProcess:
    load = load_of(tmp_path, locustfile, app)
    try:
        load.start()
        time.sleep(seconds)
    finally:
        load.stop()
        app.stop()
    return load


def test_a_fast_http_user_is_driven_and_its_writes_are_acknowledged(tmp_path: pathlib.Path) -> None:
    app = FakeApp()
    app.answer("POST", "/v1/tickets", 201, {"ticket": {"id": "T-1"}})
    load = run_load(tmp_path, FAST_HTTP, app)
    names = {r.name for r in load.requests}
    assert names == {"create ticket", "list tickets"} and all(r.ok for r in load.requests)
    assert load.writes and {w.id for w in load.writes} == {"T-1"}
    assert len(load.requests) >= 10  # the drill's rate, not the locustfile's one request per second per user


def test_a_fast_http_request_past_the_drills_timeout_is_a_failure(tmp_path: pathlib.Path) -> None:
    app = FakeApp()
    app.delay_s = 1.5  # every answer later than the drill's 1 s timeout
    load = run_load(tmp_path, FAST_HTTP, app, seconds=3.0)
    assert load.requests and not any(r.ok for r in load.requests)
    assert all(r.error is not None for r in load.requests)


def test_a_locustfile_without_a_user_class_says_so(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ReplicaError, match="defines no locust User class"):
        run_load(tmp_path, "import locust\n", FakeApp(), seconds=0)


def test_the_horizon_holds_at_a_waiting_request_and_is_near_now_when_none_waits(tmp_path: pathlib.Path) -> None:
    app = FakeApp()
    app.answer("POST", "/v1/tickets", 201, {"ticket": {"id": "T-1"}})
    load = load_of(tmp_path, FAST_HTTP, app, users=1, timeout_s=3.0)
    try:
        load.start()
        time.sleep(1.5)
        load.poll()
        assert time.monotonic() - load.horizon < 1.0, "quick answers: the horizon follows now"
        app.delay_s = 2.5  # the next request waits 2.5 s for its answer
        time.sleep(1.5)
        load.poll()
        waiting = [r for r in load.requests if r.start >= load.horizon]
        assert time.monotonic() - load.horizon > 0.8, "a request is waiting: the horizon stays at its start"
        assert not waiting, "nothing recorded started after the horizon while a request waits before it"
    finally:
        load.stop()
        app.stop()
