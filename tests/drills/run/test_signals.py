"""Signals during a drill: the first interrupts, a second skips to teardown, none stops the teardown."""

from __future__ import annotations

import os
import signal

import pytest

from drillbook.drills.run.signals import Interrupts, received
from tests.conftest import ROOT


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


def test_the_signals_a_drill_handled_are_there_for_the_program_around_it() -> None:
    before = len(received())
    with pytest.raises(KeyboardInterrupt), Interrupts():
        os.kill(os.getpid(), signal.SIGTERM)
    assert received()[before:] == ("SIGTERM",)


def test_a_ctrl_c_during_a_tests_drill_stops_the_session_after_its_teardown(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite's own conftest, in a session of two drill tests: the first one's drill handles a
    SIGINT; the session stops there, as a Ctrl-C stops pytest, instead of going on to the second."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini("[pytest]\nmarkers =\n    docker: a test that needs the engine\n")
    pytester.makeconftest("from tests.conftest import stop_on_a_real_interrupt  # noqa: F401\n")
    pytester.makepyfile(
        """
        import os, signal, pytest
        from drillbook.drills.run.signals import Interrupts

        @pytest.mark.docker
        def test_first():
            with pytest.raises(KeyboardInterrupt), Interrupts():
                os.kill(os.getpid(), signal.SIGINT)  # the drill's teardown would run here

        @pytest.mark.docker
        def test_second():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*KeyboardInterrupt*SIGINT during test_*.py::test_first's drill*"])
    result.assert_outcomes(passed=1)  # the first; the second never ran
