"""The replica's services from a Compose project, with what a drill adds: how each is known ready.

The app answers its health endpoint over HTTP and the database answers a real
query, unless the Compose file gives either a health check of its own (then
the engine's health status decides). The database's user, password and name
come from its `POSTGRES_*` environment unless the drill file gives them.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass

from drillbook.errors import SpecError
from drillbook.replicas.compose import project as compose_project
from drillbook.replicas.compose.services import Reading, read
from drillbook.replicas.target import Database, ReadyCheck, Service


@dataclass(frozen=True)
class FromCompose:
    services: tuple[Service, ...]
    database: Database
    reading: Reading
    files: tuple[pathlib.Path, ...]
    name: str


def from_compose(
    compose: pathlib.Path,
    *,
    env_file: pathlib.Path | None,
    profiles: Sequence[str],
    app: str,
    health: str,
    database: str,
    user: str | None = None,
    password: str | None = None,
    dbname: str | None = None,
) -> FromCompose:
    if not compose.is_file():
        raise SpecError(f"target.compose: no Compose file {compose}.")
    project = compose_project.load(compose, env_file, profiles)
    services, reading = read(project)
    for ref, where in ((app, "app"), (database, "database.service")):
        if ref not in services:
            raise SpecError(f"target.{where} names service {ref!r}; {compose} has {', '.join(sorted(services))}.")
    for name, s in services.items():
        for needed in s.depends_on:
            if needed not in services:
                missing = f"{needed!r}, which is not defined (or not in a profile asked for)"
                raise SpecError(f"{compose}: service {name!r} depends on {missing}.")
    app_service = services[app]
    if app_service.port == 0:
        raise SpecError(
            f"{compose}: the app service {app!r} publishes no port (`ports:`): the load has nothing to reach."
        )
    if app_service.healthcheck is None and app_service.ready.kind == "running":
        services[app] = dataclasses.replace(app_service, ready=ReadyCheck("http", health))
    db = services[database]
    env = dict(db.env)
    port = db.port or 5432
    ready = db.ready if db.healthcheck is not None or db.ready.kind != "running" else ReadyCheck("postgres")
    services[database] = dataclasses.replace(db, port=port, ready=ready)
    account = user or env.get("POSTGRES_USER") or "postgres"
    secret = password or env.get("POSTGRES_PASSWORD")
    if not secret:
        raise SpecError(
            f"{compose}: the database service {database!r} has no POSTGRES_PASSWORD in its environment; give "
            "`database: {password: ...}` in the drill's target."
        )
    found = Database(database, account, secret, dbname or env.get("POSTGRES_DB") or account)
    return FromCompose(tuple(services.values()), found, reading, project.files, project.name)
