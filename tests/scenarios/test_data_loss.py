"""The data-loss drill: the database's host lost, the newest dump restored; the ledger
shows exactly the writes acknowledged after that dump as lost."""

from __future__ import annotations

import json
import pathlib
import re
import time

import pytest

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.errors import ReplicaError
from drillbook.scenarios import data_loss
from tests.conftest import catalog_drill, why
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_lost_writes_are_those_after_the_newest_dump(tmp_path: pathlib.Path) -> None:
    runner = DrillRunner(spec.load(catalog_drill("data-loss", tmp_path)), tmp_path / "out")
    result = runner.run()
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    assert {"database_down", "health_check_fail", "high_error_rate"} & {a["rule"] for a in doc["alerts"]}
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert all(s["ok"] for s in doc["recovery_steps"]), steps
    assert "created again on a new, empty volume" in steps["make sure the database runs"]["detail"]
    assert "default_transaction_read_only = on" in steps["read-only mode on"]["detail"]
    assert "orders" in steps["verify counts"]["detail"]
    dump_epoch = float(re.findall(r"dumps/([0-9.]+)\.dump", steps["restore the newest dump"]["detail"])[0])
    dump_t = dump_epoch - runner.drill.clock.wall_origin.timestamp()
    injected = doc["measurements"]["injected_at"]
    assert 0 < dump_t < injected

    ledger = [json.loads(line) for line in (tmp_path / "out" / "load" / "ledger.jsonl").read_text().splitlines()]
    acked = {str(w["id"]): float(w["a"]) - runner.drill.clock.origin for w in ledger}
    lost = {str(w["id"]) for w in doc["lost_writes"]}
    assert lost, "writes acknowledged between the dump and the loss must be lost"
    # Exactly those after the dump: none from before it, all from after it (probe resolution aside).
    assert not [i for i in lost if acked[i] < dump_t - 0.05]
    after_dump = {i for i, t in acked.items() if dump_t + 0.3 < t < injected}
    assert after_dump <= lost
    # The measured RPO is the dump's age at the fault as the writes show it: back to the first
    # write acknowledged after the dump, never before the dump. (The load's next write after the
    # dump may come a second later on a busy host: CI once saw a 1.1 s gap.)
    next_write = min(t for t in acked.values() if t > dump_t + 0.3)
    assert injected - next_write <= doc["measurements"]["rpo_s"] <= injected - dump_t + 0.05


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_the_host_is_lost_for_good_container_and_volumes(fake: FakeReplica) -> None:
    with data_loss.inject(fake) as fault:
        assert fake.states["db"] == "gone" and fake.removed_volumes
        assert all(v in fault.description for v in fake.removed_volumes)
    with pytest.raises(ReplicaError, match="no longer exists"):
        fake.status("db")  # nothing puts a lost host back: that is the restore's job
    assert fault.revert_detail is None


def test_the_loss_begins_at_the_kill_not_when_the_engine_has_removed_the_volume(
    fake: FakeReplica, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A busy disk makes the engine take seconds to delete the volume; the database died at the
    # kill before it, and every one of those seconds would otherwise be counted as RPO.
    removal = fake.remove_service
    called: list[float] = []

    def slow_removal(service: str) -> list[str]:
        called.append(time.monotonic())
        time.sleep(0.2)
        return removal(service)

    monkeypatch.setattr(fake, "remove_service", slow_removal)
    with data_loss.inject(fake) as fault:
        assert [a for a in fake.actions if a != "status db"] == ["kill db", "remove db"]
        assert fault.began is not None and fault.began <= called[0]
