"""Each kind of declared step done to the fake replica (real HTTP, real git, a real shell for `run`)."""

from __future__ import annotations

import pathlib
import threading
from typing import Any

import pytest

from drillbook.errors import RecoveryStepFailed
from drillbook.replicas.step_schema import StepModel
from drillbook.replicas.steps import Where, environment, run_step
from tests.fakes import FakeReplica, did


def step(**fields: Any) -> StepModel:
    return StepModel.model_validate(fields)


def where(fake: FakeReplica, tmp_path: pathlib.Path) -> Where:
    return Where(fake, tmp_path)


def test_a_step_has_exactly_one_kind() -> None:
    with pytest.raises(ValueError, match="exactly one kind"):
        step(name="nothing")
    with pytest.raises(ValueError, match="this one has run, sql"):
        step(run="true", sql={"query": "SELECT 1"})


def test_docker_steps_act_on_the_service(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    assert (
        run_step(step(docker={"service": "db", "action": "kill"}), where(fake, tmp_path))
        == "kill db: done (now exited)"
    )
    assert run_step(step(docker={"service": "db", "action": "start"}), where(fake, tmp_path)).endswith("(now running)")
    assert did(fake, "kill db") and did(fake, "start db")


def test_run_is_a_host_shell_in_the_drill_folder_with_the_replica_in_its_environment(
    fake: FakeReplica, tmp_path: pathlib.Path
) -> None:
    (tmp_path / "check.sh").write_text('echo "app=$APP_URL db=$PGPORT ctr=$DRILLBOOK_CONTAINER_DB in $(pwd)"\n')
    line = run_step(step(run="sh ./check.sh"), where(fake, tmp_path))
    assert line == f"exit 0: app={fake.url()} db={fake.ports['db']} ctr=fake-db in {tmp_path}"
    assert environment(where(fake, tmp_path))["DATABASE_URL"].startswith("postgresql://")


def test_an_unexpected_exit_status_fails_with_the_output(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    with pytest.raises(RecoveryStepFailed, match=r"exit 3: nope \(expected exit 0\)"):
        run_step(step(run="echo nope; exit 3"), where(fake, tmp_path))
    assert run_step(step(run="exit 3", expect=[0, 3]), where(fake, tmp_path)) == "exit 3"


def test_a_command_past_its_timeout_fails(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    with pytest.raises(RecoveryStepFailed, match=r"did not finish within 0.3 s"):
        run_step(step(run="sleep 5", timeout_s=0.3), where(fake, tmp_path))


def test_exec_runs_in_the_service_and_judges_its_status(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    fake.on_exec(r"^kill -HUP 1$", lambda _s, _c: (0, "reloaded"))
    assert run_step(step(exec={"service": "app", "command": ["kill", "-HUP", "1"]}), where(fake, tmp_path)) == (
        "exit 0: reloaded"
    )
    assert did(fake, "exec app kill -HUP 1")


def test_http_expects_a_2xx_or_the_status_given(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    fake.app.answer("POST", "/admin/pool/reset", 204)
    reset = step(http={"method": "POST", "path": "/admin/pool/reset"})
    assert run_step(reset, where(fake, tmp_path)) == "POST /admin/pool/reset: HTTP 204"
    fake.app.answer("GET", "/v1/ready", 503, {"ready": False})
    with pytest.raises(RecoveryStepFailed, match=r"HTTP 503 \(expected 200\)"):
        run_step(step(http={"path": "/v1/ready"}, expect=200), where(fake, tmp_path))


def test_a_retried_step_tries_again_until_it_succeeds(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "ready"
    check = step(run=f"test -f {marker}", retry={"until_s": 5, "every_s": 0.2})
    threading.Timer(0.5, marker.write_text, args=("",)).start()
    line = run_step(check, where(fake, tmp_path))
    assert line.startswith("exit 0 (try ") and int(line.split("try ")[1].rstrip(")")) >= 2


def test_a_retried_step_that_never_succeeds_says_how_long_it_tried(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    wait_db = step(sql={"query": "SELECT 1"}, retry={"until_s": 0.6, "every_s": 0.2})
    with pytest.raises(RecoveryStepFailed, match=r"OperationalError: .* after \d tries over 0.6 s"):
        run_step(wait_db, where(fake, tmp_path))


def test_git_steps_commit_and_revert_the_last_deploy(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    deploy = step(git={"commit": {"message": "deploy 1.1.0", "image": {"app": "drillbook/returns-service:1.1.0"}}})
    assert run_step(deploy, where(fake, tmp_path)).endswith(": deploy 1.1.0")
    assert fake.desired_states()["app"].image.endswith(":1.1.0")
    back = run_step(step(git={"revert": "last_deploy"}), where(fake, tmp_path))
    assert back.startswith("git revert ") and "(deploy 1.1.0)" in back
    assert fake.desired_states()["app"].image.endswith(":1.0.0")
    assert run_step(step(reconcile={}), where(fake, tmp_path)) == "reconciled: recreated nothing (already at HEAD)"


def test_wait_is_the_runbooks_verification(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    assert run_step(step(wait={"healthy": True}, timeout_s=1), where(fake, tmp_path)) == "health and 3 key flows answer"


def test_a_docker_step_run_twice_does_nothing_the_second_time(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    thaw = step(docker={"service": "db", "action": "unpause"})
    fake.pause("db")
    assert run_step(thaw, where(fake, tmp_path)) == "unpause db: done (now running)"
    assert run_step(thaw, where(fake, tmp_path)) == "unpause db: nothing to do (now running)"
    rejoin = step(docker={"service": "db", "action": "connect"})
    assert run_step(rejoin, where(fake, tmp_path)) == "connect db: nothing to do (now running)"


def test_exec_gets_the_replica_as_its_container_sees_it(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    run_step(step(exec={"service": "app", "command": ["true"]}), where(fake, tmp_path))
    db = fake.target.service("db")
    assert fake.exec_env["PGHOST"] == db.host and fake.exec_env["PGPORT"] == str(db.port)
    assert fake.exec_env["APP_URL"] == f"http://{fake.target.service('app').host}:{fake.target.service('app').port}"
    assert fake.exec_env["DRILLBOOK_DRILL_ID"] == "fake"
