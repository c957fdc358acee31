"""A runbook section as a recovery, on the fake replica and its fake terminal: one step per
command, values filled from the drill's facts, the first command that does not work ends it."""

from __future__ import annotations

from typing import Any

import pytest

from drillbook.errors import SpecError
from drillbook.recovery.runbook import procedure as runbook
from drillbook.replicas.protocols import Ran
from tests.conftest import GUIDE
from tests.fakes import FakeReplica, FakeTerminal, run_steps


def deploy(fake: FakeReplica, image: str) -> str:
    def change(doc: dict[str, Any]) -> None:
        doc["services"]["app"]["image"] = image

    stable = fake.desired.head().sha
    fake.commit(change, f"deploy {image}")
    return stable


def test_the_rollback_section_fills_the_stable_commit_and_breaks_at_a_push_that_pushed_nothing(
    fake: FakeReplica,
) -> None:
    stable = deploy(fake, "drillbook/returns-service:1.1.0")
    fake.fake_terminal = FakeTerminal(answers={"git push": Ran(0, "Everything up-to-date", 0.02)})
    chosen = runbook.section(GUIDE, "Application Rollback", "")
    ran = run_steps(runbook.procedure(chosen, {"stable-commit-hash": "{last_stable_commit}"}, 5.0), fake)
    assert fake.fake_terminal.typed == [
        "git log --oneline -10  # Find last stable commit",
        f"git checkout {stable}",
        "git push origin main --force  # Deploy rollback",
    ]
    assert [r.ok for r in ran] == [True, True, False]
    assert (
        "the runbook broke at line 331" in ran[2].detail
        and "no effect (exit 0, line 331): git push pushed nothing" in ran[2].detail
    )
    assert fake.fake_terminal.published == 1, "the deploy is on origin before the first command"


def test_an_unfilled_placeholder_stops_the_recovery_without_running_the_command(fake: FakeReplica) -> None:
    fake.fake_terminal = FakeTerminal()
    ran = run_steps(runbook.procedure(runbook.section(GUIDE, "Application Rollback", ""), {}, 5.0), fake)
    assert [r.ok for r in ran] == [True, False]
    assert "needs a value (not run, line 330): stable-commit-hash: not filled" in ran[1].detail
    assert fake.fake_terminal.typed == ["git log --oneline -10  # Find last stable commit"]


def test_a_push_is_taken_and_reconciled(fake: FakeReplica) -> None:
    fake.fake_terminal = FakeTerminal(push_on="git push")
    run_steps(
        runbook.procedure(runbook.section(GUIDE, "Application Rollback", ""), {"stable-commit-hash": "x"}, 5.0), fake
    )
    assert fake.fake_terminal.taken == 1, "the pushed commit was taken into the desired state once"
    assert fake.fake_terminal.pushed_sha is None


def test_a_command_that_had_to_be_stopped_does_not_end_the_recovery(fake: FakeReplica) -> None:
    fake.fake_terminal = FakeTerminal(
        answers={"watch": Ran(None, "Every 5.0s", 10.0), "pm2": Ran(127, "pm2: command not found", 0.0)}
    )
    ran = run_steps(runbook.procedure(runbook.section(GUIDE, "Memory Issues", ""), {}, 10.0), fake)
    assert [r.ok for r in ran] == [True, False]
    assert "missing tool (exit 127, line 209): pm2: command not found" in ran[1].detail


def test_a_section_without_a_shell_block_is_refused() -> None:
    with pytest.raises(SpecError, match=r"section 'Service Status Check' has no shell block"):
        runbook.section(GUIDE, "Service Status Check", "")
    with pytest.raises(SpecError, match=r"has no section headed 'Nope'"):
        runbook.section(GUIDE, "Nope", "")
