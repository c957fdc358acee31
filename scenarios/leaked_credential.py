"""A leaked credential: the service's database login is known to an attacker, who uses it.

The guide's "Security breach detected" (P0). The login is the one in the
service's environment (its `DATABASE_URL`, resolved from the drill's secrets:
the desired state holds only a reference). The attacker connects with it from
outside the service, through the database's loopback port as drillbook's own
traffic does, keeps the session open and reads the orders every half second.
It stops when its session is cut and its password is refused; revert ends it
at the latest. The service itself keeps working: no runbook trigger fires.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import psycopg
from psycopg import conninfo as pg_conninfo

from drillbook.errors import PluginError
from drillbook.replicas.protocols import Addresses, Desired
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service

READ_EVERY_S = 0.5


class Leakable(Addresses, Desired, Protocol):
    """A replica whose desired state says the service's login, reached on loopback."""


def check(target: Target, service: str = "app", variable: str = "DATABASE_URL") -> None:
    found = named_service(target, "leaked_credential", service, "app")
    if variable not in found.env:
        raise PluginError(
            f"The scenario 'leaked_credential' leaks {service}'s {variable}, which {service!r} does not have "
            f"(its environment: {', '.join(sorted(found.env)) or 'none'}). Name the variable with its login."
        )


def leaked_conninfo(replica: Leakable, service: str, variable: str) -> str:
    """The service's login, on the database's loopback port: what the attacker has."""
    url = replica.desired_states()[service].env[variable]
    leaked = pg_conninfo.conninfo_to_dict(url)
    return pg_conninfo.make_conninfo(
        replica.db_conninfo(),
        user=str(leaked.get("user")),
        password=str(leaked.get("password")),
        dbname=str(leaked.get("dbname")),
    )


@contextmanager
def inject(replica: Leakable, service: str = "app", variable: str = "DATABASE_URL") -> Iterator[Fault]:
    check(replica.target, service, variable)
    conninfo = leaked_conninfo(replica, service, variable)
    stop = threading.Event()
    reads = {"ok": 0, "refused": 0}

    def attacker() -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    while not stop.is_set():
                        conn.execute("SELECT count(*) FROM orders").fetchone()
                        reads["ok"] += 1
                        stop.wait(READ_EVERY_S)
            except psycopg.Error:
                reads["refused"] += 1
                stop.wait(READ_EVERY_S)

    def revert() -> str | None:
        stop.set()
        thread.join(timeout=5)
        return f"the attacker stopped ({reads['ok']} reads made, {reads['refused']} refused)"

    fault = Fault(f"{service}'s database login ({variable}) used from outside the service", revert)
    try:
        with psycopg.connect(conninfo, autocommit=True):
            pass  # the login works: the leak is real
    except psycopg.Error as exc:
        raise PluginError(f"The leaked login of {service!r} did not work to begin with: {type(exc).__name__}") from exc
    thread = threading.Thread(target=attacker, name="drillbook-attacker", daemon=True)
    try:
        thread.start()
        fault.began = time.monotonic()
        yield fault
    finally:
        fault.revert()


SCENARIO = Scenario(
    name="leaked_credential",
    description="The service's database login is leaked and used from outside; it must be rotated.",
    expected_alerts=(),
    expected_recovery="rotate_credentials",
    rehearses=("security-breach",),
    steps=(
        "connect with the service's own database login from outside the service, keep the session",
        "read the orders every half second until the session is cut and the password refused",
    ),
    inject=inject,
    check=check,
)
