"""What a procedure is: options from the drill file, work made fresh for every run."""

from __future__ import annotations

import string

from drillbook.recovery import REGISTRY
from drillbook.recovery.kill_runaway import Found
from tests.fakes import FakeReplica


def test_each_run_gets_its_options_and_empty_work(fake: FakeReplica) -> None:
    procedure = REGISTRY.get("kill_runaway")
    first = procedure.context(fake, {"readings": 5}, log=lambda _line: None)
    first.work.pids.append(42)
    second = procedure.context(fake, {}, log=lambda _line: None)
    assert first.options.readings == 5 and second.options.readings == 3
    assert isinstance(second.work, Found) and second.work.pids == []


def test_every_hint_uses_only_the_placeholders_a_rehearsal_fills() -> None:
    known = {"desired_state", "app_url", "health_url", "psql", "db_container", "app_container", "reset"}
    for name in REGISTRY.names():
        for step in REGISTRY.get(name).steps:
            used = {field for _text, field, _spec, _conv in string.Formatter().parse(step.hint) if field}
            assert used <= known, f"{name}: {step.name}: {used - known}"
