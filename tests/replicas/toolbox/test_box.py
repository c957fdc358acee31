"""The target on the toolbox's network: every service joins it; a portless host is the service's alias."""

from __future__ import annotations

import dataclasses

import pytest

from drillbook.drills import spec
from drillbook.errors import ReplicaError
from drillbook.replicas.toolbox import network as box
from drillbook.replicas.toolbox import shell, terminal
from tests.conftest import CATALOG


def test_every_service_joins_the_internal_network_and_a_database_host_is_its_alias() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    moved = box.on_toolbox_network(target, {"returnit.online": "app", "prod-db.example": "db"})
    assert all(s.networks[-1] == box.NETWORK for s in moved.services)
    assert moved.internal == frozenset({box.NETWORK})
    assert "prod-db.example" in moved.service("db").aliases
    assert "returnit.online" not in moved.service("app").aliases, "an HTTP service is reached through the TLS front"


def test_a_team_network_with_the_toolbox_networks_name_is_refused() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    taken = dataclasses.replace(
        target, services=tuple(dataclasses.replace(s, networks=(box.NETWORK,)) for s in target.services)
    )
    with pytest.raises(ReplicaError, match="already has a network named 'drillbook-toolbox'"):
        box.on_toolbox_network(taken, {})


def test_the_terminals_output_is_plain_lines() -> None:
    assert shell.clean("\x1b[1mcount\x1b[0m\r\n-----\r\n 7\r\n\r\nexit\r\n") == "count\n-----\n 7"


def test_database_url_is_the_administrator_unless_the_drill_names_a_role() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    assert terminal.database_url(target, "db") == "postgresql://returns:drill-only-returns-pw@db:5432/returns"
    role = ("returns_app", "p@ss/word")
    assert terminal.database_url(target, "db", role) == "postgresql://returns_app:p%40ss%2Fword@db:5432/returns"
