"""A recovery declared as steps, on the fake replica: each step in order, a built-in procedure as one."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import PluginError
from drillbook.recovery import declared
from drillbook.replicas.step_schema import StepModel
from tests.fakes import FakeReplica, did, run_steps


def steps(*declared_steps: dict[str, object]) -> list[StepModel]:
    return [StepModel.model_validate(s) for s in declared_steps]


def test_declared_steps_run_in_order_and_stop_at_the_first_that_fails(
    fake: FakeReplica, tmp_path: pathlib.Path
) -> None:
    fake.states["db"] = "exited"
    procedure = declared.procedure(
        steps(
            {"name": "restart the database", "docker": {"service": "db", "action": "start"}},
            {"name": "reset the pool", "http": {"method": "POST", "path": "/api/admin/db/reset-pool"}, "expect": 200},
            {"run": "exit 1"},
            {"wait": {"healthy": True}},
        ),
        tmp_path,
    )
    ran = run_steps(procedure, fake)
    assert [(r.step, r.ok) for r in ran] == [
        ("restart the database", True),
        ("reset the pool", True),
        ("run exit 1", False),
    ]
    assert ran[2].detail == "exit 1 (expected exit 0)" and fake.states["db"] == "running"


def test_a_builtin_procedure_is_one_step(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    fake.states["db"] = "paused"
    procedure = declared.procedure(
        steps({"procedure": {"name": "restart_database", "with": {"verify_timeout_s": 2}}}), tmp_path
    )
    (ran,) = run_steps(procedure, fake)
    assert ran.ok and ran.step == "procedure restart_database"
    assert ran.detail.startswith("restart database container: db was frozen: thawed and restarted; wait for PostgreSQL")
    assert did(fake, "unpause db")


def test_a_failing_step_inside_a_builtin_procedure_is_named(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    fake.never_ready.add(fake.applied["db"].image)
    procedure = declared.procedure(steps({"procedure": {"name": "restart_database"}}), tmp_path)
    (ran,) = run_steps(procedure, fake)
    assert not ran.ok and ran.detail.startswith("restart_database's step 'wait for PostgreSQL' failed: ")


@pytest.mark.parametrize(
    ("declared_step", "refusal"),
    [
        ({"docker": {"service": "cache", "action": "kill"}}, "names service 'cache', which the target does not have"),
        ({"run": "./scripts/check.sh"}, "runs ./scripts/check.sh, which does not exist in"),
        ({"procedure": {"name": "restart_everything"}}, "Unknown recovery procedure 'restart_everything'"),
        ({"procedure": {"name": "restart_database", "with": {"ready_timeout_s": "soon"}}}, "ready_timeout_s='soon'"),
    ],
)
def test_what_a_step_names_is_checked_before_anything_starts(
    fake: FakeReplica, tmp_path: pathlib.Path, declared_step: dict[str, object], refusal: str
) -> None:
    with pytest.raises(PluginError, match=refusal):
        declared.check(fake.target, steps(declared_step), tmp_path, "recovery")
    assert fake.actions == []
