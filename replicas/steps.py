"""Steps a drill file declares, done to the replica: a team's own recovery, or its own fault.

`run_step` does one step (its model is in `replicas/step_schema.py`) through the
replica's protocols and judges its `expect`, `retry` and `timeout_s`. `recovery/declared.py` turns a list of them into a
procedure (it also runs the `procedure` kind, a built-in one as a step),
`scenarios/declared.py` into a fault. Only `run` touches the host: a shell
command in the drill file's folder, given the replica's addresses in its
environment; `exec` runs in a service's container.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

from drillbook.errors import DrillbookError, RecoveryStepFailed
from drillbook.replicas import boundary, loopback
from drillbook.replicas.health import verify_flows
from drillbook.replicas.protocols import ReplicaAPI
from drillbook.replicas.step_schema import DockerModel, GitModel, HttpModel, SqlModel, StepModel

OUTPUT_CHARS = 400
"""How much of a command's output a step keeps (its end: where the error usually is)."""


@dataclass(frozen=True)
class Where:
    """What a step runs against: the replica, and the folder of the drill file (`run`'s working folder)."""

    replica: ReplicaAPI
    folder: pathlib.Path


def environment(where: Where, *, inside: bool = False) -> dict[str, str]:
    """What `run` and `exec` get: the app's URL, the administrator's database, each service's
    container name, the desired-state repository, the drill id. On the host (`run`) the
    addresses are the loopback ports; inside a container (`exec`), the replica's network names."""
    replica, target = where.replica, where.replica.target
    db = target.database
    if inside:
        app, pg = target.service(target.app), target.service(replica.database_service)
        app_url, host, port = f"http://{app.host}:{app.port}", pg.host, pg.port
    else:
        app_url, host, port = replica.url(), "127.0.0.1", replica.ports[replica.database_service]
    env = {
        "APP_URL": app_url,
        "DATABASE_URL": f"postgresql://{db.user}:{db.password}@{host}:{port}/{db.dbname}",
        "PGHOST": host,
        "PGPORT": str(port),
        "PGUSER": db.user,
        "PGPASSWORD": db.password,
        "PGDATABASE": db.dbname,
        "DRILLBOOK_DRILL_ID": replica.drill_id,
        "DRILLBOOK_DESIRED_STATE": str(replica.require_desired().path),
    }
    for service in replica.target.services:
        env[f"DRILLBOOK_CONTAINER_{service.name.upper().replace('-', '_')}"] = replica.container_name(service.name)
    return env


def run_step(step: StepModel, where: Where) -> str:
    """Do the step, again every `retry.every_s` until it succeeds or `retry.until_s` is over;
    its line for the timeline, or RecoveryStepFailed with why."""
    deadline = time.monotonic() + step.retry.until_s if step.retry else 0.0
    tries = 0
    while True:
        tries += 1
        try:
            with boundary.mapped():
                done = _once(step, where)
            return done if tries == 1 else f"{done} (try {tries})"
        except DrillbookError as exc:
            if step.retry is None or time.monotonic() + step.retry.every_s > deadline:
                more = f" after {tries} tries over {step.retry.until_s:g} s" if step.retry else ""
                raise RecoveryStepFailed(f"{exc}{more}") from exc
            time.sleep(step.retry.every_s)


def _once(step: StepModel, where: Where) -> str:
    replica = where.replica
    if step.run is not None:
        return _run(step, step.run, where)
    if step.exec is not None:
        service, command, env = step.exec.service, step.exec.command, environment(where, inside=True)
        code, output = _in_time(step, lambda: replica.exec(service, command, env))
        return _judged(step, code, output, "exit")
    if step.http is not None:
        return _http(step, step.http, replica)
    if step.sql is not None:
        return _sql(step, step.sql, replica)
    if step.docker is not None:
        return _docker(step.docker, replica)
    if step.git is not None:
        return _git(step.git, replica)
    if step.reconcile is not None:
        changed = replica.reconcile(step.reconcile.ready_timeout_s)
        return f"reconciled: recreated {', '.join(changed) or 'nothing (already at HEAD)'}"
    if step.wait is not None:
        return verify_flows(replica, step.timeout_s)
    raise RecoveryStepFailed(f"a {step.kind} step is done by its procedure, not here")


def _run(step: StepModel, command: str, where: Where) -> str:
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=where.folder,
            env={**os.environ, **environment(where)},
            capture_output=True,
            text=True,
            timeout=step.timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RecoveryStepFailed(f"`{command}` did not finish within {step.timeout_s:g} s") from None
    return _judged(step, done.returncode, done.stdout + done.stderr, "exit")


def _in_time(step: StepModel, call: Any) -> tuple[int, str]:
    """A call that cannot be given a timeout of its own (an exec), abandoned past `timeout_s`."""
    outcome: list[tuple[int, str]] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=target, name="drillbook-step", daemon=True)
    worker.start()
    worker.join(step.timeout_s)
    if failure:
        raise failure[0]
    if not outcome:
        raise RecoveryStepFailed(f"no answer within {step.timeout_s:g} s")
    return outcome[0]


def _expected(step: StepModel) -> list[int] | None:
    """The values `expect` allows, as a list; None when the step gives none (the kind's default)."""
    if step.expect is None:
        return None
    return step.expect if isinstance(step.expect, list) else [step.expect]


def _judged(step: StepModel, code: int, output: str, what: str) -> str:
    expected = _expected(step)
    if expected is None:
        expected = [0]
    tail = output.strip()[-OUTPUT_CHARS:]
    line = f"{what} {code}" + (f": {tail}" if tail else "")
    if code not in expected:
        raise RecoveryStepFailed(f"{line} (expected {what} {' or '.join(map(str, expected))})")
    return line


def _http(step: StepModel, http: HttpModel, replica: ReplicaAPI) -> str:
    url = replica.url(http.service) + http.path
    response = loopback.request(http.method, url, json=http.body, timeout=step.timeout_s)
    expected = _expected(step)
    line = f"{http.method} {http.path}: HTTP {response.status_code}"
    body = response.text.strip()[:200]
    if (expected is None and not response.is_success) or (
        expected is not None and response.status_code not in expected
    ):
        wanted = "a 2xx" if expected is None else " or ".join(map(str, expected))
        raise RecoveryStepFailed(f"{line} (expected {wanted}){f': {body}' if body else ''}")
    return line


def _sql(step: StepModel, sql: SqlModel, replica: ReplicaAPI) -> str:
    import psycopg  # here, not at the top: checking a drill's steps loads no database client

    options = f"-c statement_timeout={int(step.timeout_s * 1000)}"
    conninfo = replica.db_conninfo(min(step.timeout_s, 10.0))
    with psycopg.connect(conninfo, autocommit=True, application_name="drillbook-step", options=options) as conn:
        cursor = conn.execute(sql.query.encode())
        rows = cursor.fetchall() if cursor.description else []
        count = len(rows) if cursor.description else max(cursor.rowcount, 0)
    line = f"{count} row(s)" + (f": {rows[0]}"[:200] if rows else "")
    expected = _expected(step)
    if expected is not None and count not in expected:
        raise RecoveryStepFailed(f"{line} (expected {' or '.join(map(str, expected))} row(s))")
    return line


def _docker(docker: DockerModel, replica: ReplicaAPI) -> str:
    actions = {
        "start": replica.start_service,
        "stop": replica.stop,
        "restart": replica.restart,
        "kill": replica.kill,
        "pause": replica.pause,
        "unpause": replica.unpause,
        "disconnect": replica.disconnect,
        "connect": replica.connect,
    }
    service = docker.service
    already = {
        "pause": lambda: replica.status(service) == "paused",
        "unpause": lambda: replica.status(service) != "paused",
        "connect": lambda: replica.connected(service),
        "disconnect": lambda: not replica.connected(service),
    }
    done = already.get(docker.action)
    if done is not None and done():  # a revert that runs twice, or after the recovery did it
        return f"{docker.action} {docker.service}: nothing to do (now {replica.status(docker.service)})"
    actions[docker.action](docker.service)
    return f"{docker.action} {docker.service}: done (now {replica.status(docker.service)})"


def _git(git: GitModel, replica: ReplicaAPI) -> str:
    if git.commit is None:
        history = replica.require_desired().log()
        if len(history) < 2:
            raise RecoveryStepFailed("no deploy to revert: the desired state has only its first commit")
        reverted = replica.revert(history[0])
        return f"git revert {history[0].short} ({history[0].message}) -> {reverted.short}"
    change = git.commit

    def apply(doc: dict[str, Any]) -> None:
        for service, image in change.image.items():
            doc["services"][service]["image"] = image
        for service, env in change.env.items():
            doc["services"][service].setdefault("env", {}).update(env)

    made = replica.commit(apply, change.message)
    return f"git commit {made.short}: {change.message}"
