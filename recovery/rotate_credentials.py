"""The guide's response to a leaked credential: rotate it, and make sure the old one is dead.

A new password for the service's database role (ALTER ROLE, as the database's
administrator, with the statement kept out of pg_stat_statements); the secret
gets a new version and the desired state a commit of only the new reference
(no value in git); a reconcile gives the service the new login; every session
the role opened before the rotation (the attacker's among them) is terminated;
the old password is tried and must be refused; the service must work. Two
figures: the fault to the rotation, and the fault to the old password refused
(how long the leak was usable).
"""

from __future__ import annotations

import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import conninfo, sql

from drillbook.errors import RecoveryStepFailed as StepFailed
from drillbook.recovery.base import Procedure, Step, StepContext
from drillbook.recovery.checks import VERIFY
from drillbook.replicas.secrets import is_reference


@dataclass(frozen=True)
class Options:
    service: str = "app"
    variable: str = "DATABASE_URL"
    ready_timeout_s: float = 60.0
    verify_timeout_s: float = 30.0


@dataclass
class Rotation:
    role: str = ""
    old_password: str = ""
    new_url: str = ""
    rotated_at: float = 0.0
    """Seconds since the epoch (the database's clock too: one host)."""
    reference: dict[str, Any] = field(default_factory=dict)


Ctx = StepContext[Options, Rotation]


def _since_fault(ctx: Ctx, at: float) -> float:
    return at - (ctx.injected_wall if ctx.injected_wall is not None else at)


def rotate_password(ctx: Ctx) -> str:
    options, replica = ctx.options, ctx.replica
    url = replica.desired_states()[options.service].env[options.variable]
    parts = urllib.parse.urlsplit(url)
    if not parts.username or parts.password is None:
        raise StepFailed(f"{options.service}'s {options.variable} is not a URL with a login (user:password@)")
    new_password = secrets.token_urlsafe(18)
    netloc = f"{parts.username}:{urllib.parse.quote(new_password, safe='')}@{parts.hostname}"
    netloc += f":{parts.port}" if parts.port else ""
    ctx.work.role, ctx.work.old_password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password)
    ctx.work.new_url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    store = replica.require_desired().secrets
    if store is None:
        raise StepFailed("the desired state holds no secrets file: its login is in git, not a reference to rotate")
    name = f"{options.service}-{options.variable.lower().replace('_', '-')}"
    ctx.work.reference = store.put(name, ctx.work.new_url)  # the masker learns the new value here
    with psycopg.connect(replica.db_conninfo(), autocommit=True) as conn:
        conn.execute("SET pg_stat_statements.track_utility = off")
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(ctx.work.role), sql.Literal(new_password))
        )
    ctx.work.rotated_at = time.time()
    ctx.figure("fault_to_rotation_s", _since_fault(ctx, ctx.work.rotated_at))
    return f"role {ctx.work.role!r} has a new password; secret {name!r} is at version {ctx.work.reference['version']}"


def commit_reference(ctx: Ctx) -> str:
    options, reference = ctx.options, ctx.work.reference

    def change(doc: dict[str, Any]) -> None:
        env = doc["services"][options.service].setdefault("env", {})
        if not is_reference(env.get(options.variable)):
            raise StepFailed(f"{options.service}.env.{options.variable} in the desired state is not a secret reference")
        env[options.variable] = dict(reference)

    commit = ctx.replica.commit(
        change, f"rotate {options.service}'s database login (secret version {reference['version']})"
    )
    return f"committed {commit.short}: only the reference's new version, no value"


def reconcile(ctx: Ctx) -> str:
    changed = ctx.replica.reconcile(ctx.options.ready_timeout_s)
    return f"recreated {', '.join(changed) or 'nothing'} with the new login"


def terminate_old_sessions(ctx: Ctx) -> str:
    with psycopg.connect(ctx.replica.db_conninfo(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE usename = %s AND backend_start < to_timestamp(%s)",
            (ctx.work.role, ctx.work.rotated_at),
        ).fetchall()
    return f"terminated {len(rows)} session(s) {ctx.work.role!r} opened with the old password"


def old_password_refused(ctx: Ctx) -> str:
    old = conninfo.make_conninfo(ctx.replica.db_conninfo(), user=ctx.work.role, password=ctx.work.old_password)
    try:
        with psycopg.connect(old, autocommit=True):
            pass
    except psycopg.OperationalError as exc:
        if "password authentication failed" not in str(exc):
            raise StepFailed(
                f"the old password's login failed, but not on its password: {type(exc).__name__}"
            ) from None
        ctx.figure("fault_to_old_password_refused_s", _since_fault(ctx, time.time()))
        return f"the old password of {ctx.work.role!r} is refused"
    raise StepFailed(f"the old password of {ctx.work.role!r} still logs in")


PROCEDURE = Procedure(
    name="rotate_credentials",
    description="Rotate the leaked database login, commit only the secret's new version, cut the old sessions.",
    options=Options,
    work=Rotation,
    steps=(
        Step(
            "rotate the password",
            "a new password for the role, kept in the drill's secrets",
            rotate_password,
            hint="psql '{psql}' -c \"ALTER ROLE <role> PASSWORD '<new>'\"",
        ),
        Step(
            "commit the new reference",
            "the desired state refers to the secret's new version",
            commit_reference,
            hint="git -C {desired_state} commit -am 'rotate the login'",
        ),
        Step("reconcile", "the service restarted with the new login", reconcile),
        Step(
            "terminate the old sessions",
            "every session the role opened before the rotation",
            terminate_old_sessions,
            hint="psql '{psql}' -c 'SELECT pg_terminate_backend(pid) ...'",
        ),
        Step("the old password is refused", "a login with the leaked password must fail", old_password_refused),
        VERIFY,
    ),
)
