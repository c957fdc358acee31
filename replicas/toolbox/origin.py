"""The team's git remote, in the drill's folder: what `git push origin main` in the runbook reaches.

A bare clone of the drill's desired-state repository; the toolbox's working
folder is a clone of it. After each runbook command the harness looks at the
bare repository's `main`: a push moved it, so the desired state takes it (as a
GitOps controller would) and the replica is reconciled to it.
"""

from __future__ import annotations

import pathlib
import shutil

import git

from drillbook.errors import ReplicaError
from drillbook.replicas.desired_state import DesiredState

BRANCH = "main"


class Origin:
    def __init__(self, desired: DesiredState, folder: pathlib.Path) -> None:
        self.desired = desired
        self.path = folder / "origin.git"
        if self.path.exists():
            shutil.rmtree(self.path)
        git.Repo.clone_from(str(desired.path), str(self.path), bare=True)

    def head(self) -> str:
        return str(git.Repo(self.path).commit(BRANCH).hexsha)

    def pushed(self) -> str | None:
        """The commit a push put on origin's main, when it differs from the desired state's HEAD."""
        sha = self.head()
        return sha if sha != self.desired.head().sha else None

    def take(self) -> str:
        """The desired state moved to origin's main (fast-forward or forced alike)."""
        repo = self.desired.repo
        try:
            repo.git.fetch(str(self.path), BRANCH)
            repo.git.reset("--hard", "FETCH_HEAD")
        except git.GitCommandError as exc:
            raise ReplicaError(f"The pushed commit could not be taken: {exc.stderr.strip()}") from None
        self.desired.read()
        return self.desired.head().short

    def publish(self) -> None:
        """The desired state's HEAD onto origin (a drill's own commits: a deploy, a revert)."""
        try:
            self.desired.repo.git.push("--force", str(self.path), f"HEAD:refs/heads/{BRANCH}")
        except git.GitCommandError as exc:
            raise ReplicaError(f"The desired state could not be pushed to origin: {exc.stderr.strip()}") from None
