"""The replica's desired state, kept in git: a deploy is a commit, a rollback a revert.

One YAML file (`replica.yaml`) names, for each service, its image and tag,
environment, feature flags and memory limit. The harness creates a repository
per drill from the target, or uses a team's own (a local path, or a URL it
clones). History is only ever added to: no reset, no force-push.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import git
import yaml

from drillbook.contract import EventKind
from drillbook.errors import ReplicaError, SpecError
from drillbook.replicas.secrets import SECRET_NAME, SecretStore, is_reference, is_secret
from drillbook.replicas.target import Target

FILE = "replica.yaml"
AUTHOR = git.Actor("drillbook", "drillbook@localhost")


@dataclass(frozen=True)
class ServiceState:
    image: str
    env: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, bool] = field(default_factory=dict)
    mem_limit: str | None = None

    def container_env(self) -> dict[str, str]:
        """Flags reach the service as FEATURE_<NAME>=on|off beside its environment."""
        flags = {f"FEATURE_{name.upper()}": "on" if value else "off" for name, value in self.flags.items()}
        return {**self.env, **flags}


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str

    @property
    def short(self) -> str:
        return self.sha[:10]


def initial_document(target: Target, store: SecretStore | None = None) -> dict[str, Any]:
    """The target as a desired state; with a store, every secret in it is a reference to the store."""
    known = [target.database.password] + [v for s in target.services for k, v in s.env.items() if SECRET_NAME.search(k)]
    return {
        "services": {
            s.name: {
                "image": s.image,
                "mem_limit": s.mem_limit,
                "env": {k: _kept(store, s.name, k, v, known) for k, v in s.env.items()},
                "flags": dict(s.flags),
                "health": s.ready.path if s.ready.kind == "http" else None,
            }
            for s in target.services
        }
    }


def _kept(store: SecretStore | None, service: str, name: str, value: str, known: list[str]) -> Any:
    if store is None or not is_secret(name, value, known):
        return value
    return store.put(f"{service}-{name.lower().replace('_', '-')}", value)


class DesiredState:
    def __init__(self, path: pathlib.Path, target: Target, secrets: SecretStore | None = None) -> None:
        self.target = target
        self.secrets = secrets
        """Where the references in `replica.yaml` resolve; None: the repository holds none."""
        try:
            self.repo = git.Repo(path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise SpecError(f"The desired-state repository {path} is not a git repository.") from None
        self.path = pathlib.Path(self.repo.working_tree_dir or path)
        self._check_usable()

    @classmethod
    def create(cls, path: pathlib.Path, target: Target, drill: str, secrets: SecretStore | None = None) -> DesiredState:
        """A fresh repository holding the target's desired state as its first commit."""
        path.mkdir(parents=True, exist_ok=True)
        repo = git.Repo.init(path, initial_branch="main")
        with repo.config_writer() as config:
            config.set_value("user", "name", AUTHOR.name)
            config.set_value("user", "email", AUTHOR.email)
        (path / FILE).write_text(_dump(initial_document(target, secrets)))
        repo.index.add([FILE])
        message = f"desired state: initial ({drill})" + "".join(f"\n\nfrom {s}" for s in _sources(target))
        repo.index.commit(message, author=AUTHOR, committer=AUTHOR)
        return cls(path, target, secrets)

    @classmethod
    def clone(cls, url: str, path: pathlib.Path, target: Target) -> DesiredState:
        try:
            git.Repo.clone_from(url, path)
        except git.GitCommandError as exc:
            raise SpecError(f"Cannot clone the desired-state repository {url}: {exc.stderr.strip()}") from None
        return cls(path, target)

    def _check_usable(self) -> None:
        if self.repo.head.is_detached:
            raise SpecError(
                f"The desired-state repository {self.path} has a detached HEAD. drillbook commits deploys and "
                "rollbacks to a branch: check out one (`git switch main`) and run the drill again."
            )
        if self.repo.is_dirty(untracked_files=False):
            raise SpecError(
                f"The desired-state repository {self.path} has uncommitted changes. A drill must start from "
                "what is committed: commit or stash them, then run the drill again."
            )
        if not (self.path / FILE).is_file():
            raise SpecError(f"The desired-state repository {self.path} has no {FILE}.")
        self.read()

    # --- reading -------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        try:
            loaded = yaml.safe_load((self.path / FILE).read_text())
        except yaml.YAMLError as exc:
            raise SpecError(f"{self.path / FILE} is not valid YAML: {exc}") from None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("services"), dict):
            raise SpecError(f"{self.path / FILE} must map `services:` to each service's desired state.")
        return loaded

    def read(self) -> dict[str, ServiceState]:
        """What HEAD says, checked against what the target's services accept."""
        states = {}
        services = self.document()["services"]
        for service in self.target.services:
            raw = services.get(service.name)
            if not isinstance(raw, dict) or not raw.get("image"):
                raise SpecError(f"{FILE}: service {service.name!r} needs at least an image.")
            flags = {str(k): bool(v) for k, v in (raw.get("flags") or {}).items()}
            unknown = sorted(set(flags) - set(service.flags))
            if unknown:
                raise SpecError(
                    f"{FILE}: service {service.name!r} has no feature flag {', '.join(map(repr, unknown))}; "
                    f"it knows {', '.join(map(repr, service.flags)) or 'none'}. Fix the flag's name."
                )
            states[service.name] = ServiceState(
                image=str(raw["image"]),
                env={str(k): self._value(service.name, str(k), v) for k, v in (raw.get("env") or {}).items()},
                flags={**service.flags, **flags},
                mem_limit=raw.get("mem_limit"),
            )
        return states

    def _value(self, service: str, name: str, value: Any) -> str:
        if not is_reference(value):
            return str(value)
        where = f"{FILE}: {service}.env.{name}"
        if self.secrets is None:
            raise SpecError(f"{where} refers to a secret, and this desired state has no secrets file to resolve it.")
        return self.secrets.resolve(value, where)

    def head(self) -> Commit:
        commit = self.repo.head.commit
        return Commit(commit.hexsha, str(commit.message).strip())

    def log(self, limit: int = 20) -> list[Commit]:
        """Newest first, as `git log --oneline` shows it."""
        return [Commit(c.hexsha, str(c.summary).strip()) for c in self.repo.iter_commits(max_count=limit)]

    def derived_from(self) -> list[str]:
        """The team's files the first commit was derived from (its `from ...` lines), with their commits."""
        root = next(iter(self.repo.iter_commits(max_parents=0)), None)
        lines = str(root.message).splitlines() if root is not None else []
        return [line.removeprefix("from ") for line in lines if line.startswith("from ")]

    def state_at(self, sha: str) -> dict[str, Any]:
        blob = self.repo.commit(sha).tree / FILE
        loaded: dict[str, Any] = yaml.safe_load(blob.data_stream.read())
        return loaded

    # --- changing -------------------------------------------------------------

    def commit(self, change: Callable[[dict[str, Any]], None], message: str) -> Commit:
        """Apply `change` to the desired state and commit it."""
        doc = self.document()
        change(doc)
        (self.path / FILE).write_text(_dump(doc))
        self.repo.index.add([FILE])
        commit = self.repo.index.commit(message, author=AUTHOR, committer=AUTHOR)
        self.read()
        return Commit(commit.hexsha, message)

    def revert(self, sha: str) -> Commit:
        """`git revert` one commit: history keeps both the change and its undoing."""
        try:
            self.repo.git.revert(sha, no_edit=True)
        except git.GitCommandError as exc:
            raise ReplicaError(f"git revert {sha[:10]} failed: {exc.stderr.strip()}") from None
        return self.head()


def require(desired: DesiredState | None) -> DesiredState:
    """The replica's desired state, for a procedure that commits to it (a deploy, a rollback)."""
    if desired is None:
        raise ReplicaError("This replica has no desired-state repository to commit to.")
    return desired


def commit_said(
    desired: DesiredState | None,
    on_event: Callable[[EventKind, str], object],
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> Commit:
    """Commit a change of desired state (a deploy), on the timeline with its SHA: both engines' way."""
    commit = require(desired).commit(change, message)
    on_event(EventKind.GIT, f"commit {commit.short}: {message}")
    return commit


def revert_said(desired: DesiredState | None, on_event: Callable[[EventKind, str], object], commit: Commit) -> Commit:
    """`git revert` a commit of desired state, on the timeline with both SHAs."""
    reverted = require(desired).revert(commit.sha)
    on_event(EventKind.GIT, f"commit {reverted.short}: revert of {commit.short} ({commit.message})")
    return reverted


def _dump(doc: Mapping[str, Any]) -> str:
    return "# The replica's desired state. A deploy is a commit; a rollback is a revert.\n" + yaml.safe_dump(
        dict(doc), sort_keys=False
    )


def _sources(target: Target) -> list[str]:
    """The files the target was read from (a team's Compose files), each with its git commit when
    it lives in a repository: the record of what this desired state was derived from."""
    found = []
    for source in target.source:
        try:
            repo = git.Repo(pathlib.Path(source).parent, search_parent_directories=True)
            dirty = " (uncommitted changes)" if repo.is_dirty(path=source) else ""
            found.append(f"{source} at {repo.head.commit.hexsha[:10]}{dirty}")
        except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
            found.append(source)
    return found
