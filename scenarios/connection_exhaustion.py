"""Connection exhaustion: a client outside the service opens connections until the
server refuses more, and leaves them idle.

A batch job with a connection leak, or another service's oversized pool. It
logs in as a role of its own (not a superuser, so the slots PostgreSQL keeps
for administrators stay free: the runbook's diagnostics still get in), takes
every ordinary slot, and keeps taking every slot that comes free for as long
as the fault lasts. The service notices when its pool next needs a new
connection: when it replaces an old one, or grows under load. The count is
checked against `max_connections` before anything is opened; revert stops the
leak, closes what the procedure did not terminate and drops the role.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import class_row, scalar_row

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Addresses
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario

ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
MAX_CONNECTIONS = 10_000


def check(
    target: Target,
    connections: int | None = None,
    holder: str = "batch-export",
    role: str = "batch",
    wait_s: float = 60.0,
) -> None:
    if wait_s <= 0:
        raise PluginError(f"The scenario 'connection_exhaustion' needs a positive `wait_s`; {wait_s!r} is not.")
    if connections is not None and not 1 <= connections <= MAX_CONNECTIONS:
        raise PluginError(
            f"The scenario 'connection_exhaustion' needs `connections` between 1 and {MAX_CONNECTIONS} "
            f"(or left out: as many as the server accepts); {connections!r} is not."
        )
    if holder.startswith("drillbook"):
        raise PluginError(
            "The scenario 'connection_exhaustion' needs a `holder` application name that does not start with "
            "'drillbook': procedures never touch drillbook's own sessions, so nothing could end these."
        )
    if not ROLE.match(role) or role in (target.database.user, "postgres"):
        raise PluginError(
            f"The scenario 'connection_exhaustion' needs `role` to be a new plain role name (lower case, "
            f"digits, _), not the administrator's; {role!r} is not one."
        )


def ready(
    replica: Addresses,
    connections: int | None = None,
    holder: str = "batch-export",
    role: str = "batch",
    wait_s: float = 60.0,
) -> None:
    """The count against the running server's slots, before the steady state: a count it
    cannot take is refused in seconds, not after a steady state and a fault."""
    if connections is None:
        return
    try:
        with psycopg.connect(replica.db_conninfo(), autocommit=True, application_name="drillbook-fault") as admin:
            limit, reserved, _used = _slots(admin)
    except psycopg.Error as exc:
        raise PluginError(
            f"The scenario 'connection_exhaustion' could not read the database's max_connections to check "
            f"`connections` ({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}); "
            "nothing was opened. Check that the target's database is reachable, or leave `connections` out."
        ) from exc
    _fits(connections, limit, reserved)


def _fits(connections: int | None, limit: int, reserved: int) -> None:
    if connections is not None and connections > limit - reserved:
        raise PluginError(
            f"The scenario 'connection_exhaustion' would open {connections} connections, but the database "
            f"allows {limit - reserved} ordinary ones (max_connections {limit}, {reserved} reserved for "
            "administrators); nothing was opened. Lower `connections`, or leave it out to fill every slot."
        )


@contextmanager
def inject(
    replica: Addresses,
    connections: int | None = None,
    holder: str = "batch-export",
    role: str = "batch",
    wait_s: float = 60.0,
) -> Iterator[Fault]:
    check(replica.target, connections, holder, role, wait_s)
    password = secrets.token_hex(16)
    with psycopg.connect(replica.db_conninfo(), autocommit=True, application_name="drillbook-fault") as admin:
        limit, reserved, used = _slots(admin)
        _fits(connections, limit, reserved)
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if exists:
            raise PluginError(
                f"The scenario 'connection_exhaustion' logs in as a role of its own, and {role!r} already exists "
                "in the database; nothing was opened. Name another `role`."
            )
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    leak = Leak(replica, role, password, holder, connections)

    def revert() -> str | None:
        closed = leak.stop()
        with (
            suppress(psycopg.Error),
            psycopg.connect(replica.db_conninfo(), autocommit=True, application_name="drillbook-fault") as admin,
        ):
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        return f"stopped {holder!r}, closed its {closed} connections and dropped role {role!r}"

    fault = Fault(f"{holder!r} leaks connections", revert)
    try:
        fault.began = time.monotonic()
        others = leak.start(wait_s)
        fault.description = (
            f"{holder!r} (role {role}) holds {leak.count} idle connections and takes every slot that comes free"
            + (f"; the server refuses more: {leak.refused}" if leak.refused else "")
            + (f"; other clients still hold {others} after {wait_s:g} s" if others else "")
            + f" (before: {used} of max_connections {limit}, {reserved} reserved for administrators)"
        )
        yield fault
    finally:
        fault.revert()


@dataclass(frozen=True)
class Slots:
    max_connections: int
    reserved: int
    used: int


def _slots(admin: psycopg.Connection[tuple[object, ...]]) -> tuple[int, int, int]:
    row = (
        admin.cursor(row_factory=class_row(Slots))
        .execute(
            "SELECT current_setting('max_connections')::int AS max_connections, "
            "current_setting('superuser_reserved_connections')::int AS reserved, "
            "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS used"
        )
        .fetchone()
    )
    assert row is not None
    return row.max_connections, row.reserved, row.used


OTHERS = """
    SELECT count(*) FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
    WHERE a.backend_type = 'client backend' AND NOT r.rolsuper AND a.usename <> %s"""


class Leak:
    """The leaking job: a thread that opens a connection whenever the server takes one,
    until `connections` or until stopped, and never closes one itself.

    Ordinary slots come free whenever any session ends (the service's pool replacing a
    connection, an administrator's session closing), so the leak keeps trying, every
    20 ms, for as long as the fault lasts: what a job leaking in a loop does.
    """

    def __init__(self, replica: Addresses, role: str, password: str, holder: str, connections: int | None) -> None:
        self._replica = replica
        self._role = role
        self._conninfo = psycopg.conninfo.make_conninfo(replica.db_conninfo(), user=role, password=password)
        self._holder = holder
        self._limit = connections
        self._opened: list[psycopg.Connection[tuple[object, ...]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drillbook-leak", daemon=True)
        self.refused: str | None = None
        self.error: str | None = None

    @property
    def count(self) -> int:
        return len(self._opened)

    def start(self, wait_s: float) -> int:
        """Start leaking; return once no other ordinary client holds a connection (or after
        `wait_s`, or once `connections` are open), with how many the others still hold."""
        self._thread.start()
        deadline = time.monotonic() + wait_s
        with psycopg.connect(self._replica.db_conninfo(), autocommit=True, application_name="drillbook-fault") as admin:
            while True:
                time.sleep(0.5)
                if self.error is not None:
                    raise PluginError(f"The scenario 'connection_exhaustion' could not open a connection: {self.error}")
                others: int = admin.cursor(row_factory=scalar_row).execute(OTHERS, (self._role,)).fetchone() or 0
                full = self._limit is not None and self.count >= self._limit
                if full or (self.refused and others == 0) or time.monotonic() > deadline:
                    return others

    def _run(self) -> None:
        while not self._stop.is_set() and (self._limit is None or self.count < self._limit):
            try:
                self._opened.append(
                    psycopg.connect(self._conninfo, autocommit=True, application_name=self._holder, connect_timeout=5)
                )
            except psycopg.OperationalError as exc:
                reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
                if not self._opened:
                    self.error = reason
                    return
                self.refused = reason
                self._stop.wait(0.02)

    def stop(self) -> int:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        for conn in self._opened:
            with suppress(psycopg.Error):
                conn.close()
        return len(self._opened)


SCENARIO = Scenario(
    name="connection_exhaustion",
    description="A leaking client outside the service takes every connection slot, and every one that comes free.",
    expected_alerts=("high_error_rate", "health_check_fail"),
    expected_recovery="terminate_idle_connections",
    rehearses=("database-connection-failure", "high-error-rates"),
    steps=(
        "check the count against max_connections (nothing is opened otherwise)",
        "log in as a role of its own, not a superuser, and open connections until the server refuses",
        "keep taking every slot that comes free, for as long as the fault lasts",
        "go on once no other ordinary client holds a connection (after wait_s at most)",
        "the service's pool cannot replace or add a connection: requests wait for one and fail",
    ),
    inject=inject,
    check=check,
    ready=ready,
)
