"""Prometheus's own checker, run on the host: the judge of a rules file and of exported metrics.

`make` unpacks promtool from Debian's prometheus package into the
virtualenv's bin (installing the package would start a Prometheus service);
one on PATH is used otherwise. Its messages are passed on as they are: they
name the file, the line and what is wrong better than a second parser would.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

from drillbook.errors import DrillbookError

TIMEOUT_S = 60.0


def find() -> pathlib.Path:
    beside = pathlib.Path(sys.executable).parent / "promtool"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("promtool")
    if found is None:
        raise DrillbookError(
            "promtool (Prometheus's checker) is not on this machine. `make setup` unpacks it from "
            "Debian's prometheus package into the virtualenv (scripts/promtool.sh); or put promtool "
            "2.42 or later on PATH, then try again."
        )
    return pathlib.Path(found)


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    """promtool's exit status and its output (stdout and stderr together)."""
    try:
        done = subprocess.run(
            [str(find()), *args], input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DrillbookError(f"promtool did not run ({exc}); check `promtool --version`.") from exc
    return done.returncode, (done.stdout + done.stderr).strip()


def check_rules(path: pathlib.Path) -> None:
    """Refuse a rules file promtool refuses, with promtool's own message."""
    code, output = run("check", "rules", str(path))
    if code != 0:
        raise DrillbookError(
            f"The Prometheus rules file {path} does not load: promtool says:\n{output}\n"
            "Fix the rule it names (`promtool check rules` shows the same), then try again."
        )


def check_metrics(text: str) -> str:
    """promtool's findings on exposition text; empty when it has none."""
    code, output = run("check", "metrics", stdin=text)
    return output if code != 0 or output else ""
