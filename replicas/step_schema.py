"""The steps a drill file declares, as its schema: one model per step kind.

Exactly one kind (`run`, `exec`, `http`, `sql`, `docker`, `git`, `reconcile`,
`wait`, `procedure`) beside what every step has (`name`, `timeout_s`, `expect`,
`retry`). Only pydantic here: the drill file's schema reads these without
loading what does the steps (`replicas/steps.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Seconds = Annotated[float, Field(gt=0, le=3600)]
KINDS = ("run", "exec", "http", "sql", "docker", "git", "reconcile", "wait", "procedure")
DockerAction = Literal["start", "stop", "restart", "kill", "pause", "unpause", "disconnect", "connect"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, populate_by_name=True)


class ExecModel(_Strict):
    service: str
    command: list[str] = Field(min_length=1)


class HttpModel(_Strict):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"
    path: str = Field(pattern=r"^/")
    service: str | None = None
    """The service to call; the target's app when left out."""
    body: dict[str, Any] | list[Any] | None = None


class SqlModel(_Strict):
    query: str = Field(min_length=1)


class DockerModel(_Strict):
    service: str
    action: DockerAction


class GitCommitModel(_Strict):
    message: str = Field(min_length=1)
    image: dict[str, str] = {}
    """Per service, the image it runs from this commit on."""
    env: dict[str, dict[str, str]] = {}
    """Per service, environment set from this commit on."""


class GitModel(_Strict):
    revert: Literal["last_deploy"] | None = None
    """`last_deploy`: `git revert` the newest commit made during the drill (the fault's deploy)."""
    commit: GitCommitModel | None = None

    @model_validator(mode="after")
    def _one(self) -> GitModel:
        if (self.revert is None) == (self.commit is None):
            raise ValueError("a git step either reverts (`revert: last_deploy`) or commits (`commit: {...}`)")
        return self


class ReconcileModel(_Strict):
    ready_timeout_s: Seconds = 120.0


class WaitModel(_Strict):
    healthy: bool = True
    """Until the health endpoint and every key flow answer 2xx."""


class ProcedureModel(_Strict):
    name: str
    with_: dict[str, Any] = Field(default={}, alias="with")


class RetryModel(_Strict):
    until_s: Seconds
    every_s: Seconds = 1.0


class StepModel(_Strict):
    name: str | None = None
    """What the timeline calls the step; derived from its kind when left out."""
    timeout_s: Seconds = 60.0
    expect: int | list[int] | None = None
    """The exit status (run, exec; default 0), HTTP status (http; default any 2xx) or row count (sql)."""
    retry: RetryModel | None = None
    run: str | None = Field(default=None, min_length=1)
    """A shell command on the host, in the drill file's folder."""
    exec: ExecModel | None = None
    http: HttpModel | None = None
    sql: SqlModel | None = None
    docker: DockerModel | None = None
    git: GitModel | None = None
    reconcile: ReconcileModel | None = None
    wait: WaitModel | None = None
    procedure: ProcedureModel | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> StepModel:
        given = [k for k in KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a step has exactly one kind of {', '.join(KINDS)}; this one has "
                f"{', '.join(given) if given else 'none'}"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in KINDS if getattr(self, k) is not None)

    def title(self) -> str:
        """Its name, or one derived from what it does."""
        if self.name:
            return self.name
        if self.run is not None:
            return f"run {self.run[:40]}"
        if self.exec is not None:
            return f"exec {' '.join(self.exec.command)[:40]} in {self.exec.service}"
        if self.http is not None:
            return f"{self.http.method} {self.http.path}"
        if self.sql is not None:
            return f"sql {self.sql.query[:40]}"
        if self.docker is not None:
            return f"docker {self.docker.action} {self.docker.service}"
        if self.git is not None:
            return "git revert the last deploy" if self.git.commit is None else f"git commit {self.git.commit.message}"
        if self.procedure is not None:
            return f"procedure {self.procedure.name}"
        return self.kind

    def services(self) -> list[str]:
        """The services this step names (each must be one of the target's)."""
        named = [m.service for m in (self.exec, self.docker) if m is not None]
        if self.http is not None and self.http.service is not None:
            named.append(self.http.service)
        if self.git is not None and self.git.commit is not None:
            named += [*self.git.commit.image, *self.git.commit.env]
        return named
