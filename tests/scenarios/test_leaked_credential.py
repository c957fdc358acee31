"""The leaked-credential drill: the login rotated, the attacker cut off, no secret anywhere."""

from __future__ import annotations

import json
import pathlib

import git
import pytest
from psycopg.conninfo import conninfo_to_dict

from drillbook.drills import spec
from drillbook.drills.run.runner import DrillRunner
from drillbook.drills.run.timeline import Event
from drillbook.errors import PluginError
from drillbook.scenarios import leaked_credential
from tests.conftest import CATALOG, catalog_drill, why
from tests.fakes import FakeReplica


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_leaked_login_is_rotated_and_no_secret_reaches_any_output(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out"
    held: list[str] = []

    def read_the_secrets(event: Event) -> None:
        """Before teardown removes it: every value the drill's secrets file held, rotated ones too."""
        if (event.kind, event.detail) == ("phase", "measuring"):
            held.extend(
                v for versions in json.loads((out / "secrets" / "secrets.json").read_text()).values() for v in versions
            )

    result = DrillRunner(spec.load(catalog_drill("leaked-credential", tmp_path)), out, read_the_secrets).run()
    doc = json.loads((out / "result.json").read_text())
    assert result.verdict == "passed", why(result)
    steps = {s["name"]: s for s in doc["recovery_steps"]}
    assert steps["the old password is refused"]["ok"] and "terminated" in steps["terminate the old sessions"]["detail"]
    assert 0 < doc["figures"]["fault_to_rotation_s"] <= doc["figures"]["fault_to_old_password_refused_s"]
    assert doc["measurements"]["lost_writes"] == 0
    assert "attacker stopped" in " ".join(e["detail"] for e in doc["timeline"])
    assert not (out / "secrets").exists(), "the secrets file goes with the drill"

    secrets = set(held) | {"drill-only-returns-pw", "drill-only-app-pw"}
    assert len(held) >= 4  # the initial references' values and the rotated login
    written = [p for p in out.rglob("*") if p.is_file() and ".git" not in p.parts]
    history = git.Repo(out / "desired-state").git.log("-p", "--all")
    for value in secrets:
        for path in written:
            assert value not in path.read_text(errors="replace"), f"a secret in {path}"
        assert value not in history, "a secret in the desired state's history"


def test_a_service_without_the_variable_is_refused_before_anything_starts() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    with pytest.raises(PluginError, match=r"leaks app's VAULT_URL, which 'app' does not have"):
        leaked_credential.check(target, variable="VAULT_URL")


def test_the_attacker_has_the_services_login_on_the_databases_loopback_port(fake: FakeReplica) -> None:
    leaked = conninfo_to_dict(leaked_credential.leaked_conninfo(fake, "app", "DATABASE_URL"))
    ours = conninfo_to_dict(fake.db_conninfo())
    assert (leaked["user"], leaked["password"], leaked["dbname"]) == ("returns_app", "drill-only-app-pw", "returns")
    assert (leaked["host"], leaked["port"]) == (ours["host"], ours["port"]) and ours["host"] == "127.0.0.1"
