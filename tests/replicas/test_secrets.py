"""Secrets out of git: the desired state holds references, the drill's secrets file the values."""

from __future__ import annotations

import os
import pathlib
import stat

import git
import pytest
import yaml

from drillbook.drills.run.masking import Masker, Secret
from drillbook.errors import SpecError
from drillbook.replicas.desired_state import FILE, DesiredState
from drillbook.replicas.secrets import SecretStore, is_secret
from drillbook.replicas.target import Target

SECRETS = ("drill-only-returns-pw", "drill-only-app-pw")


def test_the_repository_holds_references_and_no_value(tmp_path: pathlib.Path, sample_target: Target) -> None:
    store = SecretStore(tmp_path / "secrets")
    desired = DesiredState.create(tmp_path / "repo", sample_target, "test", store)
    text = (desired.path / FILE).read_text()
    env = yaml.safe_load(text)["services"]["db"]["env"]
    assert env["POSTGRES_PASSWORD"] == {"secret": "db-postgres-password", "version": 1}
    history = git.Repo(desired.path).git.log("-p", "--all")
    for value in SECRETS:
        assert value not in text and value not in history
    states = desired.read()
    assert states["db"].env["POSTGRES_PASSWORD"] == "drill-only-returns-pw"
    assert "drill-only-app-pw" in states["app"].env["DATABASE_URL"]  # a URL with a password is a secret too
    assert states["app"].env["PAYMENT_URL"] == "http://payments:8090"  # not a secret: kept as it is


def test_the_secrets_file_is_private_and_gone_with_the_drill(tmp_path: pathlib.Path) -> None:
    store = SecretStore(tmp_path / "secrets")
    reference = store.put("app-token", "first-value")
    assert reference == {"secret": "app-token", "version": 1}
    assert store.put("app-token", "second-value") == {"secret": "app-token", "version": 2}
    assert stat.S_IMODE(os.stat(tmp_path / "secrets").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "secrets" / "secrets.json").st_mode) == 0o600
    assert SecretStore(tmp_path / "secrets").resolve({"secret": "app-token", "version": 1}, "here") == "first-value"
    with pytest.raises(SpecError, match=r"here refers to secret 'app-token' version 3.*2 version\(s\)"):
        store.resolve({"secret": "app-token", "version": 3}, "here")
    store.remove()
    store.remove()
    assert not (tmp_path / "secrets").exists()


def test_a_reference_without_a_secrets_file_is_refused(tmp_path: pathlib.Path, sample_target: Target) -> None:
    desired = DesiredState.create(tmp_path / "repo", sample_target, "test", SecretStore(tmp_path / "secrets"))
    with pytest.raises(SpecError, match=r"refers to a secret, and this desired state has no secrets file"):
        DesiredState(desired.path, sample_target)


def test_every_value_the_store_makes_is_masked_from_then_on(tmp_path: pathlib.Path) -> None:
    masker = Masker()
    store = SecretStore(tmp_path / "s", lambda name, value: masker.add(Secret(f"secret {name}", value)))
    assert masker.text("rotated to Zq9-new-password-x") == "rotated to Zq9-new-password-x"
    store.put("app-database-password", "Zq9-new-password-x")
    assert masker.text("rotated to Zq9-new-password-x") == "rotated to ***"
    assert masker.masked == ["secret app-database-password"]
    store.put("app-database-url", "postgresql://returns_app:Zq9-url-password@db:5432/returns")
    said = masker.text("failed on postgresql://returns_app:Zq9-url-password@db:5432/returns and Zq9-url-password")
    assert said == "failed on postgresql://returns_app:***@db:5432/returns and ***"  # the address stays readable


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("POSTGRES_PASSWORD", "x", True),
        ("DATABASE_URL", "postgresql://u:pw@db/x", True),
        ("DATABASE_URL", "postgresql://db/x", False),
        ("NOTE", "has the known-secret inside", True),
        ("PAYMENT_URL", "http://payments:8090", False),
        ("API_KEY", "", False),
    ],
)
def test_what_counts_as_a_secret(name: str, value: str, secret: bool) -> None:
    assert is_secret(name, value, ["known-secret"]) is secret
