"""Backups in the replica, as the drill file asks for them: each becomes services,
volumes and environment of the target, and so part of the desired state.

- `dump`: drillbook's backup service (the database's own image running
  `drillbook-backup`) writes a `pg_dump -Fc` every `interval_s` into the
  `backups` volume, named by the instant it started.
- `wal_archive`: the database archives every WAL segment (1 MiB, at least every
  second) into the same volume, and the backup service takes a base backup
  (`pg_basebackup`) when it starts: point-in-time recovery from there on.
- `standby`: a second PostgreSQL streaming from the first, `async` or `sync`
  (a commit returns once the standby has it).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from drillbook.replicas.target import Backups, ReadyCheck, Service, Target

VOLUME = "backups"
PATH = "/backups"
REPLICATION_USER = "replicator"
REPLICATION_PASSWORD = "drill-only-replication-pw"
STANDBY_NAME = "standby"


class NotDrillbookPostgres(ValueError):
    """The database is not drillbook's PostgreSQL image, which knows how to archive and stream."""


def with_backups(
    target: Target,
    dump_interval_s: float | None,
    wal_archive: bool,
    standby: Literal["async", "sync"] | None,
) -> Target:
    db = target.service(target.database.service)
    if not db.image.startswith("drillbook/postgres:"):
        raise NotDrillbookPostgres(db.image)
    env = dict(db.env)
    volumes = dict(db.volumes)
    extra: list[Service] = []
    backup_service = standby_service = None
    if dump_interval_s is not None or wal_archive:
        volumes[VOLUME] = PATH
        extra.append(_backup_service(target, db, dump_interval_s, wal_archive))
        backup_service = extra[-1].name
    if wal_archive:
        env["ARCHIVE_DIR"] = f"{PATH}/wal"
    if standby is not None:
        env |= {"REPLICATION_USER": REPLICATION_USER, "REPLICATION_PASSWORD": REPLICATION_PASSWORD}
        if standby == "sync":
            env["SYNC_STANDBY"] = STANDBY_NAME
        extra.insert(0, _standby_service(db))
        standby_service = extra[0].name
    services: list[Service] = []
    for s in target.services:
        services.append(dataclasses.replace(s, env=env, volumes=volumes) if s.name == db.name else s)
        if s.name == db.name:
            services.extend(extra)
    backups = Backups(
        dump_interval_s=dump_interval_s,
        wal_archive=wal_archive,
        standby=standby_service,
        standby_mode=standby,
        service=backup_service,
        path=PATH,
    )
    return dataclasses.replace(target, services=tuple(services), backups=backups)


def _backup_service(target: Target, db: Service, dump_interval_s: float | None, wal_archive: bool) -> Service:
    """drillbook's backup service: the database's image, the backups volume, the database by name."""
    return Service(
        name=f"{db.name}-backup",
        image=db.image,
        port=5432,
        ready=ReadyCheck("running"),
        env={
            "PGHOST": db.host,
            "PGUSER": target.database.user,
            "PGPASSWORD": target.database.password,
            "PGDATABASE": target.database.dbname,
            "DUMP_INTERVAL_S": f"{dump_interval_s:g}" if dump_interval_s is not None else "0",
            "BASE_BACKUP": "1" if wal_archive else "0",
        },
        command=("drillbook-backup",),
        volumes={VOLUME: PATH},
        mem_limit="256m",
        networks=db.networks,
    )


def _standby_service(db: Service) -> Service:
    """A streaming standby of the database, on a data volume of its own. It starts once the
    primary answers, as a Compose file would say, rather than retrying its base backup against
    a primary still starting (`starting` starts two services at a time)."""
    data_path = next(iter(db.volumes.values()), "/var/lib/postgresql/data")
    return Service(
        name=f"{db.name}-standby",
        image=db.image,
        port=db.port,
        ready=ReadyCheck("postgres"),
        env={
            "PRIMARY_HOST": db.host,
            "REPLICATION_USER": REPLICATION_USER,
            "REPLICATION_PASSWORD": REPLICATION_PASSWORD,
            "STANDBY_NAME": STANDBY_NAME,
        },
        mem_limit=db.mem_limit,
        volumes={f"{next(iter(db.volumes), 'pgdata')}-standby": data_path},
        networks=db.networks,
        depends_on={db.name: "service_healthy"},
    )
