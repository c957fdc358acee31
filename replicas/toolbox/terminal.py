"""The toolbox as a replica's terminal: its shell, its origin, the database's address in it.

`open_terminal` makes the origin, starts the toolbox on the replica's internal
network and hands the replica its terminal; the toolbox's containers carry the
drill's labels, so the replica's teardown removes them with the rest.
"""

from __future__ import annotations

import pathlib
import re
import urllib.parse
from collections.abc import Mapping

import psycopg

from drillbook.contract import EventKind
from drillbook.replicas.desired_state import DesiredState
from drillbook.replicas.protocols import Ran
from drillbook.replicas.replica import Replica
from drillbook.replicas.target import Target
from drillbook.replicas.toolbox.box import Toolbox
from drillbook.replicas.toolbox.origin import Origin


class ToolboxTerminal:
    def __init__(self, box: Toolbox, origin: Origin, env: Mapping[str, str]) -> None:
        self.box, self.origin, self.env = box, origin, dict(env)

    def type(self, text: str, timeout_s: float) -> Ran:
        return self.box.run(text, self.env, timeout_s)

    def pushed(self) -> str | None:
        return self.origin.pushed()

    def take_push(self) -> str:
        return self.origin.take()

    def publish(self) -> None:
        self.origin.publish()
        self.box.sync_clone()


def database_url(target: Target, database_service: str, role: tuple[str, str] | None = None) -> str:
    """The replica database's URL as the toolbox reaches it: its administrator, or `role`."""
    db = target.database
    service = target.service(database_service)
    user, password = role or (db.user, db.password)
    quote = urllib.parse.quote
    return f"postgresql://{quote(user)}:{quote(password, safe='')}@{service.host}:{service.port or 5432}/{db.dbname}"


def open_terminal(
    replica: Replica,
    desired: DesiredState,
    folder: pathlib.Path,
    role: tuple[str, str] | None = None,
) -> ToolboxTerminal:
    origin = Origin(desired, folder)
    box = Toolbox(replica, origin.path)
    env = {"DATABASE_URL": database_url(replica.target, replica.database_service, role)}
    box.start(env)
    _compare_versions(replica, box)
    terminal = ToolboxTerminal(box, origin, env)
    replica.attach(terminal)
    return terminal


def _compare_versions(replica: Replica, box: Toolbox) -> None:
    """A server newer than the toolbox's psql is said once: pg_dump refuses such a server."""
    client = box.client_version()
    try:
        with psycopg.connect(replica.db_conninfo(3.0)) as conn:
            server = conn.info.server_version
    except (psycopg.Error, OSError):
        return
    found = re.search(r"\b(\d+)\.", client)
    if found and server // 10000 > int(found.group(1)):
        replica.record(
            EventKind.SETUP,
            f"the database server ({server // 10000}) is newer than the toolbox's PostgreSQL client ({client}): "
            "pg_dump and psql may refuse it",
        )
