"""What a scenario is: a fault whose revert runs once, on a service the target has."""

from __future__ import annotations

import pytest

from drillbook.errors import PluginError
from drillbook.scenarios.base import Fault, named_service
from drillbook.scenarios.db_outage import SCENARIO
from tests.fakes import FakeReplica


def test_a_fault_reverts_once_however_often_it_is_asked() -> None:
    undone: list[str] = []

    def unpause() -> str:
        undone.append("unpaused")
        return "unpaused db"

    fault = Fault("db paused", unpause)
    assert fault.revert() and not fault.revert()
    assert undone == ["unpaused"] and fault.revert_detail == "unpaused db" and fault.reverted_at is not None


def test_a_service_the_target_lacks_is_refused_with_what_it_has(fake: FakeReplica) -> None:
    with pytest.raises(PluginError, match=r"names service 'cache', which the target does not have \(it has db, "):
        named_service(fake.target, "db_outage", "cache", "db")
    assert named_service(fake.target, "db_outage", None, "db").name == "db"


def test_a_scenario_describes_itself_with_its_arguments() -> None:
    assert SCENARIO.describe({"mode": "pause"}) == "db_outage(mode='pause')"
    assert SCENARIO.describe({}) == "db_outage"
