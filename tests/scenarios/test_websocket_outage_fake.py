"""websocket_outage on the fake: the worker killed, started again at revert unless it runs;
a target whose load holds no stream on it is refused before anything starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from drillbook.drills import spec
from drillbook.errors import PluginError
from drillbook.scenarios import websocket_outage
from tests.conftest import CATALOG
from tests.fakes import FakeReplica, did


def test_the_worker_is_killed_and_started_again_at_revert(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("websocket-outage")
    with websocket_outage.inject(fake) as fault:
        assert fake.states["tracking"] == "exited" and did(fake, "kill tracking")
    assert fake.states["tracking"] == "running" and "started the WebSocket worker" in str(fault.revert_detail)


def test_a_worker_the_procedure_started_is_left_alone(fake_of: Callable[[str], FakeReplica]) -> None:
    fake = fake_of("websocket-outage")
    with websocket_outage.inject(fake) as fault:
        fake.start_service("tracking")
    assert fault.revert_detail is None and len(did(fake, "start tracking")) == 1


def test_a_target_without_the_worker_is_refused() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    with pytest.raises(PluginError, match=r"names service 'tracking', which the target does not have"):
        websocket_outage.check(target)


def test_a_worker_no_client_holds_is_refused_as_unmeasured() -> None:
    target = spec.load(CATALOG / "websocket-outage.yaml").target
    with pytest.raises(PluginError, match=r"the load holds none: the disconnections\s+would go unmeasured"):
        websocket_outage.check(replace(target, stream=None))
