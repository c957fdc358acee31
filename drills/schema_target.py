"""The target's schema: the stack a drill runs against, as a file lists it or a Compose file gives it.

A part of the drill file's schema (`drills/schema.py`), in a room of its own.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from drillbook.errors import SpecError
from drillbook.replicas import disks
from drillbook.replicas import target as t
from drillbook.replicas.compose.target import from_compose


class Model(BaseModel):
    # allow_inf_nan: `rto_s: 1e309` or `.nan` is a typo, never a number of seconds.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ReadyModel(Model):
    kind: t.ReadyKind
    path: str = "/"


class ServiceModel(Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    image: str
    port: int = Field(gt=0, lt=65536)
    ready: ReadyModel
    env: dict[str, str] = {}
    mem_limit: str | None = None
    cpus: float | None = Field(default=None, gt=0, le=64)
    restart: Literal["no", "on-failure", "always", "unless-stopped"] = "no"
    volumes: dict[str, str] = {}
    volume_sizes: dict[str, str] = {}
    """A filesystem of its own for a volume (`pgdata: 128m`): a disk that can fill up."""
    command: list[str] | None = None
    flags: dict[str, bool] = {}


class DatabaseModel(Model):
    service: str
    user: str | None = None
    password: str | None = None
    dbname: str | None = None
    """From a Compose file, each defaults to the service's POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB."""


class FlowModel(Model):
    name: str
    path: str = Field(pattern=r"^/")
    method: Literal["GET", "POST", "PUT", "DELETE", "PATCH"] = "GET"
    body: dict[str, Any] | list[Any] | None = None
    """A JSON body for the request (sent as application/json)."""

    def to_flow(self) -> t.Flow:
        body = None if self.body is None else json.dumps(self.body, separators=(",", ":"))
        return t.Flow(self.name, self.path, self.method, body)


class WriteFlowModel(Model):
    name: str
    id_field: str = Field(default="id", pattern=r"^[^.\s]+(\.[^.\s]+)*$")
    """The path of the new record's id in the answer: `id`, or dotted for a nested one (`run.info.run_id`)."""
    fields: list[str] = Field(min_length=1)


class StreamModel(Model):
    service: str
    path: str = Field(pattern=r"^/")
    clients: int = Field(default=4, ge=1, le=200)
    silence_s: float = Field(default=1.0, gt=0, le=60)
    """A connection silent this long is counted dead: longer than the stream's push interval."""


class TargetLoadModel(Model):
    locustfile: str
    write_flows: list[WriteFlowModel] = []
    websocket: StreamModel | None = None
    """A WebSocket stream the load's clients hold open beside the locustfile's users."""


class DataCheckModel(Model):
    sql: str

    @field_validator("sql")
    @classmethod
    def _takes_ids(cls, value: str) -> str:
        if "%(ids)s" not in value:
            raise ValueError("the data check SQL must use %(ids)s, the array of acknowledged ids")
        return value


class ContinuityModel(Model):
    service: str
    flow: str | None = None


class DesiredStateModel(Model):
    repo: str | None = None
    """A local path or a URL of the team's desired-state repository; the drill works on a clone.
    Left out: drillbook creates one per drill from the target."""
    deploy: Literal["recreate", "rolling"] = "recreate"
    """`recreate`: stop the old container, then start the new one (what `docker compose up` does);
    `rolling`: start the new one beside the old and move traffic once it is ready."""


class TargetModel(Model):
    name: str | None = None
    """Defaults to the Compose project's folder name."""
    compose: str | None = None
    """The team's Compose file (relative to the file that names it): its services are the target's."""
    env_file: str | None = None
    """For the Compose file's interpolation; default: the `.env` beside it."""
    profiles: list[str] = []
    """Compose profiles whose services run too (default: none)."""
    app: str
    health: str = Field(pattern=r"^/")
    metrics: str | None = Field(default=None, pattern=r"^/")
    services: list[ServiceModel] = []
    database: DatabaseModel
    key_flows: list[FlowModel] = []
    reset_connections: FlowModel | None = None
    load: TargetLoadModel
    data_check: DataCheckModel
    continuity: list[ContinuityModel] = []
    desired_state: DesiredStateModel | None = None
    hosts: dict[str, str] = {}
    """The runbook's production host names, each answered by a service of the replica
    (`returnit.online: app`): the toolbox resolves them to it, over HTTPS too."""

    @model_validator(mode="after")
    def _compose_or_services(self) -> TargetModel:
        if (self.compose is None) == (not self.services):
            raise ValueError("a target lists its `services:` or names its `compose:` file, one of the two")
        if self.compose is None and (self.env_file or self.profiles):
            raise ValueError("`env_file` and `profiles` belong to a target read from a `compose:` file")
        if self.compose is None and (self.name is None or None in self.database.model_dump().values()):
            raise ValueError("a target without `compose:` gives its `name` and the database's user, password, dbname")
        return self

    def to_target(self, base: pathlib.Path) -> t.Target:
        locustfile = (base / self.load.locustfile).resolve()
        if not locustfile.is_file():
            raise SpecError(f"target.load.locustfile: no file {locustfile}.")
        if self.compose is not None:
            read = from_compose(
                (base / self.compose).resolve(),
                env_file=(base / self.env_file).resolve() if self.env_file else None,
                profiles=self.profiles,
                app=self.app,
                health=self.health,
                database=self.database.service,
                user=self.database.user,
                password=self.database.password,
                dbname=self.database.dbname,
            )
            extra: dict[str, Any] = {"builds": read.reading.builds, "source": tuple(str(f) for f in read.files)}
            extra["ignored"] = tuple(f"{key}: {why}" for key, why in read.reading.ignored.items())
            return self._target(self.name or read.name, read.services, read.database, locustfile, extra)
        database = t.Database(**self.database.model_dump())
        return self._target(self.name or "target", self._services(), database, locustfile, {})

    def _services(self) -> tuple[t.Service, ...]:
        names = [s.name for s in self.services]
        for ref, where in ((self.app, "app"), (self.database.service, "database.service")):
            if ref not in names:
                raise SpecError(f"target.{where} names service {ref!r}, but the services are {names}.")
        return tuple(
            t.Service(
                name=s.name,
                image=s.image,
                port=s.port,
                ready=t.ReadyCheck(s.ready.kind, s.ready.path),
                env=dict(s.env),
                mem_limit=s.mem_limit,
                cpus=s.cpus,
                restart=s.restart,
                volumes=dict(s.volumes),
                volume_sizes=volume_sizes(s.name, s.volume_sizes, s.volumes),
                command=tuple(s.command) if s.command else None,
                flags=dict(s.flags),
            )
            for s in self.services
        )

    def _stream(self, services: tuple[t.Service, ...]) -> t.Stream | None:
        stream = self.load.websocket
        if stream is None:
            return None
        names = [s.name for s in services]
        if stream.service not in names:
            raise SpecError(
                f"target.load.websocket.service names service {stream.service!r}, but the services are {names}"
                " (a service of a Compose profile runs only when the target lists that profile)."
            )
        return t.Stream(stream.service, stream.path, stream.clients, stream.silence_s)

    def _target(
        self,
        name: str,
        services: tuple[t.Service, ...],
        database: t.Database,
        locustfile: pathlib.Path,
        extra: dict[str, Any],
    ) -> t.Target:
        return t.Target(
            name=name,
            services=services,
            app=self.app,
            database=database,
            health=self.health,
            metrics=self.metrics,
            key_flows=tuple(f.to_flow() for f in self.key_flows),
            locustfile=locustfile,
            write_flows=tuple(t.WriteFlow(w.name, w.id_field, tuple(w.fields)) for w in self.load.write_flows),
            data_check_sql=self.data_check.sql,
            continuity=tuple((c.service, c.flow) for c in self.continuity),
            desired_state_repo=self.desired_state.repo if self.desired_state else None,
            deploy=self.desired_state.deploy if self.desired_state else "recreate",
            reset_connections=self.reset_connections.to_flow() if self.reset_connections else None,
            hosts=dict(self.hosts),
            stream=self._stream(services),
            **extra,
        )


def volume_sizes(service: str, sizes: dict[str, str], volumes: Mapping[str, str]) -> dict[str, int]:
    parsed = {}
    for volume, size in sizes.items():
        if volume not in volumes:
            raise SpecError(
                f"`volume_sizes` of service {service!r} names volume {volume!r}, which the service does not "
                f"mount (it mounts {', '.join(volumes) or 'none'})."
            )
        try:
            parsed[volume] = disks.parse_size(size)
        except ValueError as exc:
            raise SpecError(f"`volume_sizes` of service {service!r}, volume {volume!r}: {exc}.") from None
    return parsed
