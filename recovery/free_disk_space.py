"""Disk full's recovery: find what fills the volume, delete it, restart PostgreSQL,
verify. The runbook's diagnostics (`df`, the largest files) run inside the
database's container; only files outside PostgreSQL's own layout (its `base`,
`global`, `pg_*` folders and files) are candidates, so the procedure can never
delete the database. The acknowledged writes are then checked by the drill.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drillbook.errors import RecoveryStepFailed
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.restart_database import STEPS as RESTART_STEPS

POSTGRES_OWN = (
    "base",
    "global",
    "PG_VERSION",
    "postgresql.conf",
    "postgresql.auto.conf",
    "pg_hba.conf",
    "pg_ident.conf",
    "postmaster.pid",
    "postmaster.opts",
    "current_logfiles",
    "backup_label",
)


@dataclass(frozen=True)
class Options:
    service: str | None = None
    """The database service; the target's database when left out."""
    min_mb: int = 1
    """Files smaller than this are not worth deleting."""
    ready_timeout_s: float = 60.0
    verify_timeout_s: float = 30.0


@dataclass
class Found:
    files: list[str] = field(default_factory=list)
    """Files outside PostgreSQL's own, largest first, relative to the volume's mount."""


Ctx = StepContext[Options, Found]


def _where(ctx: Ctx) -> tuple[str, str]:
    options = ctx.options
    service = options.service or ctx.replica.target.database.service
    volumes = ctx.replica.target.service(service).volumes
    if not volumes:
        raise RecoveryStepFailed(f"{service} mounts no volume: nothing to free")
    return service, next(iter(volumes.values())).rstrip("/")


def _exec(ctx: Ctx, service: str, script: str) -> str:
    return ctx.replica.exec(service, ["sh", "-c", script])[1]


def find_space(ctx: Ctx) -> str:
    options = ctx.options
    service, mount = _where(ctx)
    df = _exec(ctx, service, f"df -Pk {mount} | tail -1").split()
    listing = _exec(
        ctx, service, f"cd {mount} && find . -xdev -type f -size +{options.min_mb * 1024 - 1}k -printf '%s %P\\n'"
    )
    candidates = []
    for line in listing.splitlines():
        size, _, rel = line.partition(" ")
        top = rel.split("/", 1)[0]
        if size.isdigit() and rel and top not in POSTGRES_OWN and not top.startswith("pg_"):
            candidates.append((int(size), rel))
    candidates.sort(reverse=True)
    ctx.work.files = [rel for _, rel in candidates]
    used = f"{df[4]} used, {int(df[3]) // 1024} MiB free" if len(df) >= 5 and df[3].isdigit() else "df unavailable"
    if not candidates:
        raise RecoveryStepFailed(f"{mount}: {used}; no file of {options.min_mb} MiB or more outside PostgreSQL's own")
    top = ", ".join(f"{rel} ({size // 1024**2} MiB)" for size, rel in candidates[:5])
    return f"{mount}: {used}; outside PostgreSQL's own files: {top}"


def delete_files(ctx: Ctx) -> str:
    service, mount = _where(ctx)
    files = ctx.work.files
    if not files:
        raise RecoveryStepFailed("nothing to delete: the previous step found no file")
    quoted = " ".join("'" + str(f).replace("'", "'\\''") + "'" for f in files)
    _exec(ctx, service, f"cd {mount} && rm -f -- {quoted}; sync")
    df = _exec(ctx, service, f"df -Pk {mount} | tail -1").split()
    free = f"{int(df[3]) // 1024} MiB free" if len(df) >= 4 and df[3].isdigit() else "df unavailable"
    return f"deleted {len(files)} file(s): {', '.join(map(str, files))}; {free}"


PROCEDURE = Procedure(
    name="free_disk_space",
    description="Find the files filling the database's volume, delete them, restart PostgreSQL, verify.",
    options=Options,
    work=Found,
    steps=(
        Step(
            "find what fills the disk",
            "df, then the largest files in the volume outside PostgreSQL's own",
            find_space,
            hint="docker exec {db_container} sh -c 'df -h /var/lib/postgresql/data; "
            "du -ah /var/lib/postgresql/data | sort -h | tail'",
        ),
        Step(
            "delete them",
            "rm the files found, then df again",
            delete_files,
            hint="docker exec {db_container} rm /var/lib/postgresql/data/<file>",
        ),
        *RESTART_STEPS,
    ),
)
