"""A fault declared as steps, on the fake replica: injected by its steps, undone by its revert, in every outcome."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import RecoveryStepFailed
from drillbook.replicas.step_schema import StepModel
from drillbook.scenarios import declared
from drillbook.scenarios.base import Scenario
from tests.fakes import FakeReplica, did


def fault(steps: list[dict[str, object]], revert: list[dict[str, object]], folder: pathlib.Path) -> Scenario:
    return declared.scenario(
        "cache-outage",
        "the cache container dies",
        ["health_check_fail"],
        [StepModel.model_validate(s) for s in steps],
        [StepModel.model_validate(s) for s in revert],
        folder,
    )


def test_the_steps_are_the_fault_and_the_revert_undoes_it(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    scenario = fault(
        [{"docker": {"service": "payments", "action": "kill"}}],
        [{"docker": {"service": "payments", "action": "start"}}],
        tmp_path,
    )
    with scenario.inject(fake) as injected:
        assert fake.states["payments"] == "exited"
        assert injected.description.startswith("the cache container dies; docker kill payments: kill payments: done")
    assert fake.states["payments"] == "running" and injected.revert_detail == "start payments: done (now running)"
    assert scenario.expected_alerts == ("health_check_fail",) and scenario.name == "cache-outage"


def test_a_fault_that_fails_halfway_is_still_reverted(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    scenario = fault(
        [{"docker": {"service": "payments", "action": "kill"}}, {"run": "exit 7"}],
        [{"docker": {"service": "payments", "action": "start"}}],
        tmp_path,
    )
    with pytest.raises(RecoveryStepFailed, match="exit 7"), scenario.inject(fake):
        pytest.fail("the fault must not be in place")
    assert fake.states["payments"] == "running" and did(fake, "start payments")


def test_every_revert_step_runs_and_the_failures_are_named(fake: FakeReplica, tmp_path: pathlib.Path) -> None:
    scenario = fault(
        [{"docker": {"service": "payments", "action": "pause"}}],
        [{"run": "exit 2", "name": "flush the cache"}, {"docker": {"service": "payments", "action": "unpause"}}],
        tmp_path,
    )
    failed = pytest.raises(RecoveryStepFailed, match=r"revert steps failed: flush the cache: exit 2")
    with failed, scenario.inject(fake):
        pass
    assert fake.states["payments"] == "running"
