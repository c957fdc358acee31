"""The runaway process containment on the fake replica: what `ps` shows decides what is killed."""

from __future__ import annotations

from drillbook.recovery import kill_runaway
from tests.fakes import FakeReplica, did, run_steps

PS = """    1 Ssl  python -m returns_service
   40 R    sh -c while :; do :; done busy-loop report-exporter
   41 R    sh -c while :; do :; done busy-loop report-exporter
   57 S    sleep 30
"""


def test_processes_always_running_beside_the_service_are_killed(fake: FakeReplica) -> None:
    fake.on_exec(r"^ps ", lambda _s, _c: (0, PS))
    ran = run_steps(kill_runaway.PROCEDURE, fake, {"interval_s": 0.0})
    assert all(r.ok for r in ran), ran
    assert "2 process(es) running beside the service" in ran[0].detail
    assert did(fake, "exec app kill -9") == ["exec app kill -9 40 41"]


def test_nothing_runaway_fails_without_killing(fake: FakeReplica) -> None:
    fake.on_exec(r"^ps ", lambda _s, _c: (0, "    1 Rsl  python -m returns_service\n"))
    ran = run_steps(kill_runaway.PROCEDURE, fake, {"interval_s": 0.0})
    assert len(ran) == 1 and not ran[0].ok and "no process besides the service's own" in ran[0].detail
    assert not did(fake, "exec app kill")


def test_a_kill_that_fails_restarts_the_service(fake: FakeReplica) -> None:
    fake.on_exec(r"^ps ", lambda _s, _c: (0, PS))
    fake.on_exec(r"^kill ", lambda _s, _c: (1, "kill: permission denied"))
    ran = run_steps(kill_runaway.PROCEDURE, fake, {"interval_s": 0.0})
    assert ran[1].ok and ran[1].detail.startswith("kill failed") and did(fake, "restart app")
