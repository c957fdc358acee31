"""The built-in bad-deploy drill: a broken release deployed by a commit, rolled back by git revert."""

from __future__ import annotations

import json
import pathlib

import git
import pytest
import yaml

from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from drillbook.scenarios import bad_deploy
from tests.conftest import catalog_drill
from tests.fakes import FakeReplica


@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_bad_deploy_is_rolled_back_by_a_revert_commit(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out"
    code = main(["run", str(catalog_drill("bad-deploy", tmp_path)), "--out", str(out)])
    result = json.loads((out / "result.json").read_text())
    events = [(e["kind"], e["detail"]) for e in result["timeline"]]

    # The broken release really ran: its version on the health endpoint, and orders failing.
    injected = next(d for k, d in events if k == "fault" and d.startswith("injected"))
    assert "health reports version 1.1.0" in injected
    assert result["flows_during_incident"]["create order"]["availability"] < 0.5
    # Detected by the failing orders' error rate; or, first, by health_check_fail, when the deploy's
    # own restart (stop, then start) outlasts its 2 minutes × 0.02 on a loaded machine (2.4 s; once 3 s,
    # beside the other lane): the rollback then begins before the error rate's window is up.
    assert {a["rule"] for a in result["alerts"]} & {"high_error_rate", "health_check_fail"}, result["alerts"]

    # Rolled back by a revert commit; both commits stay in the history.
    messages = [c["message"] for c in result["git_log"]]
    assert "deploy app 1.1.0" in messages
    assert any(m.startswith('Revert "deploy app 1.1.0"') for m in messages)
    repo = git.Repo(out / "desired-state")
    head_state = yaml.safe_load((repo.head.commit.tree / "replica.yaml").data_stream.read())
    assert head_state["services"]["app"]["image"] == "drillbook/returns-service:1.0.0"
    reconciles = [d for k, d in events if k == "reconcile"]
    assert "now runs drillbook/returns-service:1.1.0" in reconciles[0]
    assert "now runs drillbook/returns-service:1.0.0" in reconciles[-1]

    # Measured and within objectives; the revert-to-healthy time is its own figure.
    m = result["measurements"]
    assert m["downtime_s"] is not None and m["downtime_s"] > 0
    assert m["lost_writes"] == 0
    assert 0 < result["figures"]["revert_commit_to_healthy_s"] < 60
    print(
        f"bad deploy: downtime {m['downtime_s']:.2f} s, revert commit to healthy "
        f"{result['figures']['revert_commit_to_healthy_s']:.2f} s"
    )
    assert all(o["met"] for o in result["objectives"]) and code == ExitCode.OK


# --- the fault's logic, on the fake replica -------------------------------------------------------


def test_a_release_that_never_starts_stays_deployed_as_the_fault(fake: FakeReplica) -> None:
    fake.never_ready.add("drillbook/returns-service:1.1.0")
    fake.app.answer("GET", fake.target.health, 200, {"status": "ok", "version": "1.0.0"})
    with bad_deploy.inject(fake, release="1.1.0") as fault:
        assert fake.desired_states()["app"].image == "drillbook/returns-service:1.1.0"
        assert "did not start (exited (code 2))" in fault.description
        assert "health reports version 1.0.0" in fault.description
    assert fake.desired_states()["app"].image == "drillbook/returns-service:1.0.0" and fault.revert_detail


def test_the_release_is_the_service_image_with_another_tag(fake: FakeReplica) -> None:
    assert bad_deploy.SCENARIO.images(fake.target, release="1.2.0") == ("drillbook/returns-service:1.2.0",)
