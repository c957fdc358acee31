"""Disk full: the database's volume fills up, with PostgreSQL still writing to it.

Someone left a dump in the data volume (`pg_dump > nightly.sql` run from the
wrong folder): a file grows until the filesystem has no block left. Inserts
that need a new page fail, and a WAL segment that cannot be created stops the
server. The volume must be a filesystem of its own (`volume_sizes` in the
drill), or the drill would fill the host's disk; this and a size larger than
the volume are refused before anything is written. Revert deletes the file if
the procedure did not.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import time
from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import DrillbookError, PluginError
from drillbook.replicas.protocols import Commands
from drillbook.replicas.target import Service, Target
from drillbook.scenarios.base import Fault, Scenario, named_service

FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


def _volume(target: Target, service: str | None, volume: str | None) -> tuple[Service, str, int]:
    chosen = named_service(target, "disk_full", service, target.database.service)
    name = volume or next(iter(chosen.volumes), "")
    if name not in chosen.volumes:
        raise PluginError(
            f"The scenario 'disk_full' fills volume {name!r} of {chosen.name!r}, which mounts "
            f"{', '.join(chosen.volumes) or 'no volume'}."
        )
    size = chosen.volume_sizes.get(name)
    if size is None:
        raise PluginError(
            f"The scenario 'disk_full' fills volume {name!r} of {chosen.name!r}, which has no size of its own: "
            "filling it would fill this machine's disk. Give it one in the drill file: "
            f"`services: {{{chosen.name}: {{volume_sizes: {{{name}: 128m}}}}}}`."
        )
    return chosen, name, size


def check(
    target: Target,
    size_mb: int | None = None,
    file: str = "nightly-dump.sql",
    service: str | None = None,
    volume: str | None = None,
) -> None:
    chosen, name, size = _volume(target, service, volume)
    if not FILE.match(file):
        raise PluginError(f"The scenario 'disk_full' needs `file` to be a plain file name; {file!r} is not one.")
    if size_mb is not None and not 1 <= size_mb * 1024**2 <= size:
        raise PluginError(
            f"The scenario 'disk_full' would write {size_mb} MiB into volume {name!r} of {chosen.name!r}, "
            f"which is {size // 1024**2} MiB: give `size_mb` between 1 and {size // 1024**2}, or leave it out "
            "to fill whatever is free."
        )


@contextmanager
def inject(
    replica: Commands,
    size_mb: int | None = None,
    file: str = "nightly-dump.sql",
    service: str | None = None,
    volume: str | None = None,
) -> Iterator[Fault]:
    check(replica.target, size_mb, file, service, volume)
    chosen, name, _size = _volume(replica.target, service, volume)
    path = f"{chosen.volumes[name].rstrip('/')}/{file}"

    def revert() -> str | None:
        with contextlib.suppress(DrillbookError):
            if replica.exec(chosen.name, ["test", "-e", path])[0] == 0:
                replica.exec(chosen.name, ["rm", "-f", path])
                return f"deleted {path}"
        return None

    fault = Fault(f"{path} fills volume {name!r}", revert)
    try:
        target = shlex.quote(path)
        # dd stops at ENOSPC (exit 1): that is the point. Filling up, the last blocks go in
        # 4 KiB writes; sync so they are really taken.
        if size_mb is not None:
            fill = f"dd if=/dev/zero of={target} bs=1M count={size_mb}"
        else:
            fill = f"dd if=/dev/zero of={target} bs=1M; dd if=/dev/zero of={target} bs=4k oflag=append conv=notrunc"
        fill = f"({fill}) >/dev/null 2>&1; sync; df -Pk {target}"
        output = replica.exec(chosen.name, ["sh", "-c", fill])[1]
        fault.began = time.monotonic()
        fault.description = f"{path} written into volume {name!r}: {_df(output)}"
        yield fault
    finally:
        fault.revert()


def _df(output: str) -> str:
    """`N KiB free of M MiB` from df -Pk's last line, or the raw output if it is not there."""
    fields = output.strip().splitlines()[-1].split() if output.strip() else []
    if len(fields) >= 4 and fields[1].isdigit() and fields[3].isdigit():
        return f"{int(fields[3])} KiB free of {int(fields[1]) // 1024} MiB"
    return output.strip()[-200:]


SCENARIO = Scenario(
    name="disk_full",
    description="A file left in the database's volume fills it; PostgreSQL cannot extend tables or WAL.",
    expected_alerts=("high_error_rate", "health_check_fail", "database_down"),
    expected_recovery="free_disk_space",
    rehearses=("major-features-broken", "database-down"),
    steps=(
        "check that the volume has a size of its own and the file fits (nothing is written otherwise)",
        "write the file into the volume until it is full (or size_mb)",
        "inserts that need a page fail; a WAL segment that cannot be created stops PostgreSQL",
    ),
    inject=inject,
    check=check,
)
