"""Signals during a drill: the first interrupts, a second skips to teardown, none stops the teardown."""

from __future__ import annotations

import os
import signal

import pytest

from drillbook.drills.run.signals import Interrupts


def test_the_first_signal_interrupts_and_the_old_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt, match="SIGTERM"), Interrupts():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_second_signal_skips_to_teardown_and_a_shielded_one_is_only_counted() -> None:
    said: list[str] = []
    with Interrupts(said.append) as interrupts:
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
        with interrupts.shielded():
            os.kill(os.getpid(), signal.SIGTERM)  # during teardown: counted, never raised
            os.kill(os.getpid(), signal.SIGHUP)
        assert interrupts.count == 3 and interrupts.skip_to_teardown
    assert said[0].startswith("SIGTERM again: skipping to teardown")
    assert said[1].startswith("SIGHUP: teardown is in progress and cannot be skipped")


def test_a_first_signal_while_shielded_is_not_raised() -> None:
    said: list[str] = []
    with Interrupts(said.append) as interrupts, interrupts.shielded():
        os.kill(os.getpid(), signal.SIGINT)
    assert interrupts.count == 1 and said == ["SIGINT: skipping to teardown only (the replica is still removed)"]
