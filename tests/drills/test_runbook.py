"""Runbooks executed for real: `runbook check` on the team's guide and on the sample's own, the
toolbox's isolation, and three drills whose recovery is a section of the team's guide."""

from __future__ import annotations

import contextlib
import json
import pathlib
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import GUIDE, ROOT, SAMPLE_GUIDE, spawned, wait_for_line

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("built_images", "no_leftovers")]

RUNBOOK_DRILLS = ROOT / "drills" / "catalog" / "runbook"


def check(book: pathlib.Path, out: pathlib.Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["runbook", "check", str(book), "--out", str(out), "--timeout", "4", *extra])
    return code, json.loads((out / "runbook.json").read_text())


def verdicts(document: dict[str, Any]) -> dict[str, str]:
    return {c["text"].splitlines()[0]: c["verdict"] for s in document["sections"] for c in s["commands"]}


@pytest.mark.beside
def test_the_teams_guide_is_checked_command_by_command(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "check"
    code, document = check(GUIDE, out, "--history", str(tmp_path / "history.json"))
    assert code == ExitCode.OK
    assert {p.name for p in out.iterdir()} >= {"runbook.json", "runbook.md", "runbook.html", "junit.xml"}
    found = verdicts(document)
    for works in (
        "curl -f https://returnit.online/api/health",
        "curl -f https://returnit.online/api/admin/monitoring/metrics",
        'psql $DATABASE_URL -c "SELECT 1;"',
        "curl -f https://returnit.online/api/user/orders",
        "curl -f https://returnit.online/api/drivers/active",
        "nslookup returnit.online",
    ):
        assert found[works] == "works", (works, found)
    assert found["pm2 restart all  # If using PM2"] == "missing tool"
    assert found["npm run restart"] == "missing tool"
    assert found["git checkout <stable-commit-hash>"] == "needs a value"
    assert found["ping google.com"] == "not reachable"
    assert found["git push origin main --force  # Deploy rollback"] == "no effect"
    assert found['psql $DATABASE_URL -c "ALTER SYSTEM SET default_transaction_read_only = on;"'] == "no effect"
    assert found["watch -n 5 'free -h && echo \"---\" && ps aux | grep node'"] == "interactive"
    assert found["Email: support@replit.com"] == "not a command"
    assert {x["language"] for x in document["listed"]} == {"typescript"} and len(document["listed"]) == 8
    records = [c for s in document["sections"] for c in s["commands"]]
    assert sum(document["counts"].values()) == len(records) == 74, "a verdict for every line of every shell block"
    # Each section ran on a replica of its own; nothing a section did decided the next one's verdict.
    replicas = [s["replica"] for s in document["sections"] if s["replica"]]
    assert len(replicas) == len(set(replicas)) == 11
    junit = (out / "junit.xml").read_text()
    assert junit.count("<testcase") == 74 and 'type="missing tool"' in junit
    assert "drill-only-returns-pw" not in "".join(
        p.read_text(errors="replace")
        for p in out.rglob("*")
        if p.is_file()
        if p.suffix in (".json", ".md", ".html", ".xml")
    )
    assert not [p for p in tmp_path.rglob("*.pem")], "no key or certificate was written on the host"


@pytest.mark.beside
def test_the_sample_guide_works_end_to_end(tmp_path: pathlib.Path) -> None:
    code, document = check(SAMPLE_GUIDE, tmp_path / "check", "--history", str(tmp_path / "history.json"))
    assert code == ExitCode.OK
    assert set(verdicts(document).values()) == {"works"}, verdicts(document)


def host_address() -> str:
    """This host's own address on its outside network (not loopback), as a toolbox could aim at it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        return str(probe.getsockname()[0])


@pytest.mark.beside
def test_no_command_runs_on_the_host_and_the_toolbox_reaches_nothing_outside(tmp_path: pathlib.Path) -> None:
    listener = socket.create_server(("0.0.0.0", 0))
    port, reached = listener.getsockname()[1], threading.Event()

    def accept() -> None:
        with contextlib.suppress(OSError):  # closed at the end of the test, with no one ever connecting
            listener.accept()
            reached.set()

    threading.Thread(target=accept, daemon=True).start()
    marker = pathlib.Path("/tmp") / f"drillbook-marker-{secrets.token_hex(4)}"
    book = tmp_path / "escape.md"
    book.write_text(
        "# Escape\n\n```bash\n"
        f"touch {marker}\n"
        f"curl -sS -m 3 http://<host>:{port}/\n"
        f"curl -sS -m 3 http://172.17.0.1:{port}/\n"
        "curl -sS -m 3 https://pypi.org/simple/\n"
        "curl -fsS https://returnit.online/api/health\n"
        "```\n"
    )
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"verdicts": {"Escape\ncurl -sS -m 3 https://pypi.org/simple/": "works"}}))
    code, document = check(book, tmp_path / "check", "--value", f"host={host_address()}", "--history", str(history))
    listener.close()
    found = verdicts(document)
    assert found[f"touch {marker}"] == "works" and not marker.exists(), "the command ran in the toolbox, not here"
    assert found[f"curl -sS -m 3 http://<host>:{port}/"] != "works" and not reached.is_set()
    assert found[f"curl -sS -m 3 http://172.17.0.1:{port}/"] != "works"
    assert found["curl -sS -m 3 https://pypi.org/simple/"] == "not reachable"
    assert found["curl -fsS https://returnit.online/api/health"] == "works"
    # It worked in the previous check (so the history says) and does not now: a regression, exit 1.
    assert code == ExitCode.OBJECTIVE_MISSED
    assert [r["text"] for r in document["regressions"]] == ["curl -sS -m 3 https://pypi.org/simple/"]


@pytest.mark.beside
def test_an_interrupted_check_tears_everything_down(tmp_path: pathlib.Path) -> None:
    book = tmp_path / "slow.md"
    book.write_text("# Slow\n\n```bash\nsleep 30\n```\n")
    log = tmp_path / "log"
    with log.open("w") as sink:
        check = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "drillbook",
                "runbook",
                "check",
                str(book),
                "--out",
                str(tmp_path / "out"),
                "--timeout",
                "60",
                "--history",
                str(tmp_path / "h.json"),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        spawned(check.pid)
        assert wait_for_line(log, "on a fresh replica"), log.read_text()
        time.sleep(4)  # the replica and the toolbox are up, `sleep 30` is running in it
        check.send_signal(signal.SIGINT)
        assert check.wait(timeout=60) == ExitCode.INTERRUPTED, log.read_text()
    assert not (tmp_path / "out" / "runbook.json").exists()


def run(drill: str, tmp_path: pathlib.Path) -> dict[str, Any]:
    out = tmp_path / drill
    code = main(["run", str(RUNBOOK_DRILLS / f"{drill}.yaml"), "--out", str(out), "--no-live"])
    result: dict[str, Any] = json.loads((out / "result.json").read_text())
    assert code == ExitCode.OBJECTIVE_MISSED and result["verdict"] == "failed", result["checks"]
    return result


@pytest.mark.beside  # judged by the runbook's steps, not by timings
def test_the_guides_application_rollback_does_not_roll_a_bad_deploy_back(tmp_path: pathlib.Path) -> None:
    result = run("bad-deploy-rollback", tmp_path)
    steps = result["recovery_steps"]
    assert [s["ok"] for s in steps] == [True, True, False]
    assert "git checkout " in steps[1]["name"] and "<stable-commit-hash>" in steps[1]["name"]
    assert steps[1]["detail"].startswith("works (exit 0, line 330); output: ") and "switching to" in steps[1]["detail"]
    assert "broke at line 331" in steps[2]["detail"] and "Everything up-to-date" in steps[2]["detail"]
    assert result["measurements"]["recovered_at"] is None, "the service was not recovered"


@pytest.mark.beside  # judged by the runbook's steps, not by timings
def test_the_guides_application_restart_finds_no_node_process_in_a_database_outage(tmp_path: pathlib.Path) -> None:
    result = run("db-outage-restart", tmp_path)
    steps = result["recovery_steps"]
    assert len(steps) == 1 and not steps[0]["ok"]
    assert "pkill -f node" in steps[0]["name"] and "no process matched" in steps[0]["detail"]


@pytest.mark.beside  # judged by the runbook's steps, not by timings
def test_the_guides_database_rollback_cannot_dump_a_lost_database(tmp_path: pathlib.Path) -> None:
    result = run("data-loss-database-rollback", tmp_path)
    steps = result["recovery_steps"]
    assert [s["ok"] for s in steps] == [True, False]
    assert steps[0]["detail"].startswith("works (exit 0, line 338); output: ") and "read-only" in steps[0]["detail"]
    assert "pg_dump" in steps[1]["name"] and steps[1]["detail"].startswith("the runbook broke at line 341")
    assert 'could not translate host name "db"' in steps[1]["detail"]
