"""The commits between two drill runs: of drillbook itself, and of the team's desired state.

A regression is only actionable with the changes that could have caused it.
Each result records the drillbook checkout's commit and, for a team's
desired-state repository, the commit the drill started from; where those
repositories are on this machine, the commits between are listed by name.
"""

from __future__ import annotations

import pathlib
from typing import Any

import git

HERE = pathlib.Path(__file__).resolve().parent
MAX_LISTED = 10


def _sha(value: str | None) -> str | None:
    if not value or value == "not a git checkout":
        return None
    return value.split()[0]


def _log(repo_path: pathlib.Path | str, before: str, now: str, label: str) -> str:
    if before == now:
        return f"{label}: no new commit ({now[:10]})"
    try:
        repo = git.Repo(repo_path, search_parent_directories=True)
        commits = list(repo.iter_commits(f"{before}..{now}", max_count=MAX_LISTED + 1))
    except (git.GitCommandError, git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return f"{label}: {before[:10]}..{now[:10]} (not in this checkout: `git log {before[:10]}..{now[:10]}`)"
    names = [f"{c.hexsha[:10]} {c.summary!s}" for c in commits[:MAX_LISTED]]
    more = " and more" if len(commits) > MAX_LISTED else ""
    return f"{label}: {len(names)} commit(s) {before[:10]}..{now[:10]}{more}: " + "; ".join(names)


def between(before: dict[str, Any], now: dict[str, Any]) -> str:
    parts = []
    old, new = (_sha((d.get("environment") or {}).get("drillbook_commit")) for d in (before, now))
    if old and new:
        parts.append(_log(HERE, old, new, "drillbook"))
    old_git, new_git = before.get("git") or {}, now.get("git") or {}
    source = new_git.get("source")
    if source and old_git.get("source_head") and new_git.get("source_head"):
        parts.append(_log(source, old_git["source_head"], new_git["source_head"], "desired state"))
    return "; ".join(parts) or "no commits recorded to compare"
