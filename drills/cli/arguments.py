"""The command line's argument tree: every subcommand, option and argument type in one place.

Kept apart from the commands themselves so that shell completion (`drills.completion`)
and `--help` are generated from the same tree the commands are dispatched on.
"""

from __future__ import annotations

import argparse
import math
import os
import pathlib
import sys
from collections.abc import Sequence
from typing import Any

from drillbook import __version__, reports
from drillbook.drills.cli import completion
from drillbook.errors import DrillbookError
from drillbook.replicas.cluster.state import ROOT as CLUSTERS

EVIDENCE_BRANCH = "drillbook-evidence"
"""The branch `gameday --evidence` commits to unless told another."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so bad arguments follow the one error path."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # The command line prefixes every error with "drillbook:" once; a subcommand names itself.
        where = self.prog.removeprefix("drillbook").strip()
        raise DrillbookError(f"{where + ': ' if where else ''}{message}. Run `{self.prog} --help` for usage.")


def _count(text: str) -> int:
    """A positive whole number that SQLite can hold (`--limit 99999999999999999999` is a typo)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text} is not between 1 and 1000000")
    return value


def _shard(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a shard number (1, 2, ...)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"shards are numbered from 1, not {value}")
    return value


def _seconds(text: str) -> float:
    """A finite, positive number of seconds: `nan` and `inf` are typos, never a timeout."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0 or value > 86_400:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds between 0 and 86400")
    return value


def version_text() -> str:
    from drillbook.drills.result import drillbook_commit  # git: asked for by --version alone

    commit = drillbook_commit()
    if commit == "not a git checkout":
        return f"drillbook {__version__}"
    sha, _, modified = commit.partition(" ")
    return f"drillbook {__version__} (commit {sha[:12]}{', with local changes' if modified else ''})"


class _Version(argparse.Action):
    """`--version`, its text made only when asked: the commit takes git commands, which every
    other invocation (a completion, a validation in an editor) would otherwise wait for."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        sys.stdout.write(version_text() + "\n")  # where argparse's own version action prints
        parser.exit()


HISTORY_HELP = "SQLite file of past drills (default .drillbook/history.db)"
NO_LIVE_HELP = "plain event lines, no live status line"


def build_parser() -> Parser:
    parser = Parser(prog="drillbook", description="Rehearse disaster recovery against a real replica.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and commit, then exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    p = sub.add_parser("list", help="built-in drills, scenarios, procedures and alert rules")
    p.add_argument("--json", action="store_true", help="one JSON document, for tools")
    p = sub.add_parser("validate", help="check a drill or game-day file; names the field and line of each error")
    p.add_argument("file", type=pathlib.Path)
    p = sub.add_parser(
        "plan", help="say what a drill would do; with backups, check them on a replica with no fault in it"
    )
    p.add_argument("file", type=pathlib.Path)
    p.add_argument(
        "--offline", action="store_true", help="only say what it would do: start nothing, not even to check backups"
    )
    p.add_argument("--wait", type=_seconds, default=120.0, help="seconds to wait for the first backups (default 120)")
    _drill_commands(sub)
    _campaign_commands(sub)
    p = sub.add_parser("report", help="render a stored result (or a killed drill's journal) again")
    p.add_argument("result", type=pathlib.Path, help="result.json, its folder, or journal.jsonl")
    p.add_argument("--format", choices=sorted(reports.FORMATS), default="md")
    p.add_argument("-o", "--output", type=pathlib.Path, help="write to this file instead of standard output")
    p.add_argument("--pdf", action="store_true", help="the HTML report printed to PDF into -o FILE (headless Chromium)")
    p = sub.add_parser("history", help="past drills, and an HTML page of their trend")
    p.add_argument("--drill", help="only this drill")
    p.add_argument("--limit", type=_count, default=50, help="at most this many runs (default 50)")
    p.add_argument("--html", type=pathlib.Path, help="write the HTML index page here")
    p.add_argument(
        "--metrics",
        type=pathlib.Path,
        help="write each drill's last run as Prometheus gauges here (for a textfile collector or a Pushgateway)",
    )
    p.add_argument("--history", type=pathlib.Path, help=HISTORY_HELP)
    p = sub.add_parser("init", help="write a starter drill for your own Compose stack")
    p.add_argument("--compose", type=pathlib.Path, required=True, help="your stack's Compose file")
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("drills"), help="default drills/")
    p = sub.add_parser("cleanup", help="remove what dead drills left behind (by drillbook's labels only)")
    p.add_argument("--drill", help="only this drill id")
    p.add_argument("--include-running", action="store_true", help="also drills whose harness still runs")
    p.add_argument(
        "--clusters",
        type=pathlib.Path,
        default=CLUSTERS,
        help=f"where local Swarm clusters keep their state files (default {CLUSTERS})",
    )
    p = sub.add_parser("images", help="build drillbook's images (needs the Debian base image)")
    p = sub.add_parser("schema", help="print the JSON Schema of a drill file or of a result document")
    p.add_argument("kind", choices=("drill", "result"))
    p = sub.add_parser("completion", help='print a shell completion script: eval "$(drillbook completion bash)"')
    p.add_argument("shell", choices=completion.SHELLS)
    return parser


def _drill_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    """The commands that run drills: run, gameday, rehearse."""
    p = sub.add_parser("run", help="run drills for real")
    p.add_argument("files", type=pathlib.Path, nargs="+")
    p.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("out"),
        help="folder for result.json and the reports (default: out/; out/NAME/ for several drills)",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="confirm a drill file's allow_remote: true (load and probes beyond 127.0.0.1)",
    )
    p.add_argument("--history", type=pathlib.Path, help=HISTORY_HELP)
    p.add_argument("--no-live", action="store_true", help=NO_LIVE_HELP)
    p = sub.add_parser("gameday", help="run a suite of drills, one after another, each on a fresh replica")
    p.add_argument(
        "file",
        nargs="+",
        metavar="FILE | merge DIR",
        help="a game-day file (drills/catalog/nightly.yaml runs every built-in drill), or `merge` and the "
        "folders of its shards",
    )
    p.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("out/gameday"),
        help="default out/gameday/ (PLAN.json for --plan N)",
    )
    p.add_argument(
        "--plan",
        metavar="N | PLAN.json",
        help="without --shard: split the game day into N shards and write the plan to --out; with --shard: the plan",
    )
    p.add_argument("--shard", type=_shard, metavar="K", help="run shard K (from 1) of --plan PLAN.json")
    p.add_argument("--history", type=pathlib.Path, help=HISTORY_HELP)
    p.add_argument("--evidence", metavar="REPO", help="commit the results to this git repository (path or URL)")
    p.add_argument("--evidence-branch", default=EVIDENCE_BRANCH, help="default %(default)s")
    p.add_argument("--allow-remote", action="store_true", help="confirm drill files' allow_remote: true")
    p.add_argument("--no-live", action="store_true", help=NO_LIVE_HELP)
    p.add_argument("--pdf", action="store_true", help="also index.pdf, the index printed by headless Chromium")
    p = sub.add_parser("rehearse", help="break a replica and hand the incident to you; your recovery is scored")
    p.add_argument("file", type=pathlib.Path)
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/rehearsal"), help="default out/rehearsal/")
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=900.0,
        help="seconds after the hand-over before drillbook recovers by itself (default %(default)g)",
    )
    p.add_argument("--engineer", default=os.environ.get("USER") or "on-call engineer", help="your name, for the score")
    p.add_argument("--history", type=pathlib.Path, help=HISTORY_HELP)
    p.add_argument("--allow-remote", action="store_true", help="confirm a drill file's allow_remote: true")
    p.add_argument("--no-live", action="store_true", help=NO_LIVE_HELP)


def _campaign_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    """The commands beside the drills: runbook check, coverage, readiness."""
    runbook = sub.add_parser("runbook", help="run a runbook's shell commands against a replica: its rot found")
    verbs = runbook.add_subparsers(dest="verb", required=True, parser_class=Parser)
    p = verbs.add_parser("check", help="every shell command of a Markdown runbook, run in the toolbox and judged")
    p.add_argument("runbook", type=pathlib.Path, help="the runbook, a Markdown file with shell blocks")
    p.add_argument("--target", default="sample", help="a built-in target or a target file (default sample)")
    p.add_argument("--section", help="only this section (its heading's text) and its subsections")
    p.add_argument(
        "--host",
        action="append",
        default=[],
        metavar="NAME=SERVICE",
        help="a production host name the runbook uses, answered by a service (adds to the target's hosts:)",
    )
    p.add_argument("--value", action="append", default=[], metavar="NAME=VALUE", help="fills the placeholder <NAME>")
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=8.0,
        help="seconds a command may run before it counts as interactive and is stopped (default %(default)g)",
    )
    p.add_argument("--out", type=pathlib.Path, required=True, help="folder for runbook.json and its reports")
    p.add_argument(
        "--history", type=pathlib.Path, help="the previous checks' verdicts (default .drillbook/runbook-history.json)"
    )
    p = sub.add_parser("coverage", help="which of the guide's incidents are drilled, and when each last ran")
    p.add_argument(
        "--drills",
        type=pathlib.Path,
        action="append",
        help="a folder of drill files (repeatable; default the built-in catalog)",
    )
    p.add_argument("--history", type=pathlib.Path, help=HISTORY_HELP)
    p.add_argument("--json", action="store_true", help="print the coverage as JSON")
    p = sub.add_parser("readiness", help="recovery readiness at a glance: headroom, trends, regressions, coverage")
    p.add_argument("--out", type=pathlib.Path, required=True, help="folder for readiness.html and readiness.json")
    p.add_argument("--history", type=pathlib.Path, help=HISTORY_HELP)
    p.add_argument(
        "--drills",
        type=pathlib.Path,
        action="append",
        help="a folder of drill files, for coverage (default the catalog)",
    )
    p.add_argument("--pdf", action="store_true", help="also readiness.pdf, printed by headless Chromium")
