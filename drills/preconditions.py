"""`drillbook plan`'s checks of a drill's backups and its data check, on a replica with no fault in it.

A restore procedure is only as good as what it restores from: is there a dump,
and does it restore (into a scratch PostgreSQL in a throwaway container, never
the replica's database); is the WAL archive continuous from the base backup to
its newest segment; is the standby streaming, in the mode the drill asks for.
And the drill's own measuring stick: under a few seconds of load, does the data
check find every acknowledged write as it was sent (the same self-test a drill
runs before its fault)?
"""

from __future__ import annotations

import itertools
import pathlib
import re
import tempfile
import time
from dataclasses import dataclass

import psycopg

from drillbook.drills.judge import datacheck
from drillbook.drills.observe.load.process import LoadProcess
from drillbook.drills.schema import LoadModel
from drillbook.replicas.backups import STANDBY_NAME
from drillbook.replicas.replica import Replica

SEGMENT = re.compile(r"^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$")
SEGMENTS_PER_ID = 4096
"""Segments per WAL "log id" with drillbook's 1 MiB segments (0x100000000 / 0x100000)."""

SCRATCH_RESTORE = """set -e
unset PGHOST PGUSER PGPASSWORD PGDATABASE  # the scratch server's, not the replica's
export PGDATA=/tmp/scratch
mkdir -p $PGDATA && chown postgres:postgres $PGDATA
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
as_pg initdb -D $PGDATA -A trust >/dev/null
as_pg pg_ctl -D $PGDATA -o "-c listen_addresses= -k /tmp" -w start >/dev/null
as_pg createdb -h /tmp scratch
as_pg pg_restore -h /tmp -d scratch --no-owner --no-privileges "$1" 2>/tmp/restore.err || true
echo "errors: $(grep -c 'error:' /tmp/restore.err || true)"
as_pg psql -h /tmp -d scratch -Atc "ANALYZE" >/dev/null
as_pg psql -h /tmp -d scratch -Atc "SELECT 'tables: ' || coalesce(string_agg(relname || ' ' || n_live_tup, ', '
  ORDER BY relname), '') FROM pg_stat_user_tables"
"""


@dataclass(frozen=True)
class Precondition:
    name: str
    ok: bool
    detail: str
    needed_by: str
    """The procedure(s) that depend on it."""


def check(replica: Replica, wait_s: float = 120.0) -> list[Precondition]:
    backups = replica.target.backups
    found: list[Precondition] = []
    if backups.service is not None:
        ready = _wait_for(replica, backups.service, f"test -f {backups.path}/.ready", wait_s)
        if backups.dump_interval_s is not None:
            found += _dump(replica, backups.service, backups.path, ready, wait_s)
        if backups.wal_archive:
            found.append(_archive(replica, backups.service, backups.path, ready))
    if backups.standby is not None:
        found.append(_standby(replica, backups.standby_mode or "async", wait_s))
    return found


def data_check(replica: Replica, load: LoadModel, seconds: float = 5.0) -> Precondition:
    """A few seconds of the drill's load on the quiet replica, then its data check on what was acknowledged."""
    target = replica.target
    with tempfile.TemporaryDirectory(prefix="drillbook-plan-load-") as folder:
        process = LoadProcess(
            locustfile=target.locustfile,
            host=replica.url(),
            users=load.users,
            rate=load.rate,
            timeout_s=load.timeout_s,
            write_flows=target.write_flows,
            out=pathlib.Path(folder),
            max_seconds=seconds + 30,
        )
        try:
            process.start()
            time.sleep(seconds)
        finally:
            process.stop()
    writes = process.writes
    needed = "the data check"
    if not writes:
        flows = ", ".join(repr(w.name) for w in target.write_flows)
        return Precondition("data check", False, f"no write of {flows} acknowledged in {seconds:g} s of load", needed)
    lost = datacheck.reconcile(replica.db_conninfo(), target.data_check_sql, writes, target.write_flows)
    if lost:
        return Precondition("data check", False, datacheck.misconfigured(lost, writes, target.data_check_sql), needed)
    return Precondition("data check", True, f"all {len(writes)} writes acknowledged under load found as sent", needed)


def _wait_for(replica: Replica, service: str, test: str, wait_s: float) -> bool:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if replica.exec(service, ["bash", "-c", test])[0] == 0:
            return True
        time.sleep(0.5)
    return False


def _dump(replica: Replica, service: str, path: str, ready: bool, wait_s: float) -> list[Precondition]:
    # A dump taken once the whole stack answered: an earlier one may precede the service's tables.
    since = time.time()
    newest_cmd = (
        f"ls -1 {path}/dumps | grep -E '^[0-9.]+\\.dump$' | sort -n | tail -1 | "
        f"awk '$1 + 0 > {since:.3f} {{ print; found = 1 }} END {{ exit !found }}'"
    )
    if not ready or not _wait_for(replica, service, newest_cmd, wait_s):
        return [
            Precondition(
                "a dump exists", False, f"no complete dump in {path}/dumps within {wait_s:g} s", "restore_dump"
            )
        ]
    newest = replica.exec(service, ["bash", "-c", newest_cmd])[1].strip()
    age = time.time() - float(newest.removesuffix(".dump"))
    exists = Precondition("a dump exists", True, f"dumps/{newest}, {age:.1f} s old", "restore_dump")
    code, output = replica.run_once(service, ["bash", "-c", SCRATCH_RESTORE, "restore", f"{path}/dumps/{newest}"])
    lines = output.strip().splitlines()
    errors = next((int(line.split()[-1]) for line in lines if line.startswith("errors:")), -1)
    tables = next((line.removeprefix("tables: ") for line in lines if line.startswith("tables: ")), "")
    ok = code == 0 and errors == 0 and bool(tables)
    detail = (
        f"restored into a scratch PostgreSQL in a throwaway container: {errors} errors; "
        f"rows: {tables or 'no table at all'}"
        if code == 0
        else f"the scratch restore failed (exit {code}): {output.strip()[-200:]}"
    )
    return [exists, Precondition("the dump restores", ok, detail, "restore_dump")]


def _ordinal(name: str) -> int | None:
    match = SEGMENT.match(name)
    return None if match is None else int(match.group(2), 16) * SEGMENTS_PER_ID + int(match.group(3), 16)


def _archive(replica: Replica, service: str, path: str, ready: bool) -> Precondition:
    if not ready:
        return Precondition("WAL archive continuous", False, "the base backup was not taken", "pitr")
    label = replica.exec(service, ["bash", "-c", f"tar -xzOf {path}/base/base.tar.gz --wildcards '*backup_label'"])[1]
    start = re.search(r"START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)", label)
    if start is None:
        return Precondition("WAL archive continuous", False, "the base backup has no backup_label", "pitr")
    names = replica.exec(service, ["bash", "-c", f"ls -1 {path}/wal"])[1].split()
    first = _ordinal(start.group(1))
    timeline = start.group(1)[:8]
    have = sorted(o for n in names if n.startswith(timeline) and (o := _ordinal(n)) is not None)
    have = [o for o in have if first is not None and o >= first]
    if first is None or not have or have[0] != first:
        return Precondition(
            "WAL archive continuous",
            False,
            f"segment {start.group(1)} (the base backup's start) is not archived",
            "pitr",
        )
    gaps = [(a, b) for a, b in itertools.pairwise(have) if b != a + 1]
    if gaps:
        return Precondition(
            "WAL archive continuous",
            False,
            f"{len(gaps)} gap(s) after the base backup, first after ordinal {gaps[0][0]}",
            "pitr",
        )
    return Precondition(
        "WAL archive continuous",
        True,
        f"{len(have)} segments from {start.group(1)} (the base backup's start) on, none missing",
        "pitr",
    )


def _standby(replica: Replica, mode: str, wait_s: float) -> Precondition:
    deadline = time.monotonic() + wait_s
    rows: list[tuple[object, ...]] = []
    while time.monotonic() < deadline:
        with psycopg.connect(replica.db_conninfo(), autocommit=True, application_name="drillbook-plan") as conn:
            rows = conn.execute(
                "SELECT application_name, state, sync_state, coalesce(replay_lag::text, '0') FROM pg_stat_replication"
            ).fetchall()
        if any(r[0] == STANDBY_NAME and r[1] == "streaming" for r in rows):
            break
        time.sleep(0.5)
    # The standby by its name: drillbook's WAL stream (pg_receivewal) streams too.
    streaming = [r for r in rows if r[0] == STANDBY_NAME and r[1] == "streaming"]
    if not streaming:
        return Precondition("standby streaming", False, f"no standby streams from the primary ({rows})", "failover")
    r = streaming[0]
    want = "sync" if mode == "sync" else "async"
    ok = r[2] == want or (want == "sync" and r[2] == "quorum")
    return Precondition(
        "standby streaming",
        ok,
        f"{r[0]}: {r[1]}, sync_state {r[2]} (drill asks for {want}), replay lag {r[3]}",
        "failover",
    )
