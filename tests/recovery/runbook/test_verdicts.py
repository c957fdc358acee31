"""Each verdict of a command that ran, from what the terminal showed."""

from __future__ import annotations

import pytest

from drillbook.recovery.runbook.commands import Command
from drillbook.recovery.runbook.verdicts import classify
from drillbook.replicas.protocols import Ran


def command(text: str) -> Command:
    return Command("Section", 1, text, text, "command")


@pytest.mark.parametrize(
    ("text", "ran", "verdict", "why"),
    [
        ("curl -f https://x/api/health", Ran(0, "ok", 0.1), "works", "exit 0"),
        (
            "curl -f https://x/v1/charges",
            Ran(22, "curl: (22) The requested URL returned error: 404", 0.1),
            "fails",
            "exit 22: curl: (22) The requested URL returned error: 404",
        ),
        (
            "pm2 restart all",
            Ran(127, "/dev/stdin: line 1: pm2: command not found", 0.0),
            "missing tool",
            "pm2: command not found in the toolbox",
        ),
        (
            "ping google.com",
            Ran(2, "ping: google.com: Temporary failure in name resolution", 1.0),
            "not reachable",
            "not reachable in the drill: ping: google.com: Temporary failure in name resolution",
        ),
        (
            "watch -n 5 free",
            Ran(None, "Every 5.0s: free", 8.0),
            "interactive",
            "did not end by itself within 8 s: stopped",
        ),
        (
            "git push origin main --force",
            Ran(0, "Everything up-to-date", 0.1),
            "no effect",
            "git push pushed nothing: Everything up-to-date (origin already had that branch)",
        ),
        ("pkill -f node", Ran(1, "", 0.0), "fails", "exit 1: no process matched (nothing was stopped)"),
        (
            "top -p $(pgrep node)",
            Ran(0, "top: option requires an argument -- 'p'", 0.0),
            "fails",
            "exit 0, but it refused its arguments: top: option requires an argument -- 'p'",
        ),
    ],
)
def test_verdicts(text: str, ran: Ran, verdict: str, why: str) -> None:
    assert classify(command(text), ran, lambda _name: None) == (verdict, why)


def test_a_name_of_the_replicas_own_that_does_not_resolve_fails_rather_than_being_out_of_reach() -> None:
    ran = Ran(1, 'pg_dump: error: could not translate host name "db" to address: Temporary failure', 0.1)
    verdict, why = classify(command("pg_dump $DATABASE_URL > x.sql"), ran, lambda _n: None, {"db", "app"})
    assert verdict == "fails" and why.startswith("exit 1: pg_dump: error: could not translate host name")


def test_alter_system_without_a_reload_has_no_effect_and_with_one_it_works() -> None:
    text = 'psql $DATABASE_URL -c "ALTER SYSTEM SET default_transaction_read_only = on;"'
    verdict, why = classify(command(text), Ran(0, "ALTER SYSTEM", 0.1), lambda _n: "off")
    assert verdict == "no effect" and "off is in force: nothing reloaded the configuration" in why
    assert classify(command(text), Ran(0, "ALTER SYSTEM", 0.1), lambda _n: "on") == ("works", "exit 0")
