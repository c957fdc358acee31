"""Secrets masked in text and in whole documents."""

from __future__ import annotations

from drillbook.drills import spec
from drillbook.drills.run.masking import MASK, Masker
from tests.conftest import CATALOG


def test_declared_secrets_are_masked_wherever_they_appear() -> None:
    masker = Masker(["tok_live_51HxQ", "hunter22"])
    assert masker.text("key tok_live_51HxQ and hunter22, again hunter22") == f"key {MASK} and {MASK}, again {MASK}"


def test_undeclared_secrets_are_masked_by_their_shape() -> None:
    masker = Masker()
    line = (
        "ERROR connect postgresql://app:s3cr3t-Pw@db:5432/app failed; password=abc123 api_key: 'k-99' "
        "DB_PASSWORD=xyz Authorization: Bearer eyJhbGciOi.payload.sig"
    )
    masked = masker.text(line)
    for secret in ("s3cr3t-Pw", "abc123", "k-99", "xyz", "eyJhbGciOi"):
        assert secret not in masked
    assert "postgresql://app:***@db:5432/app" in masked
    assert "DB_PASSWORD=***" in masked


def test_short_literals_are_left_to_the_patterns() -> None:
    # A four-letter password would otherwise mask the word "drill" everywhere.
    assert Masker(["dri"]).text("drill") == "drill"


def test_documents_are_masked_deeply_and_keys_kept() -> None:
    doc = {"password": "plain words", "rows": [["app", "token=zzz123"]], "n": 3, "nested": {"x": ("hunter22",)}}
    masked = Masker(["hunter22"]).document(doc)
    assert masked == {"password": "plain words", "rows": [["app", "token=***"]], "n": 3, "nested": {"x": [MASK]}}


def test_the_target_declares_its_database_password_and_secret_environment() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    masker = Masker.for_target(target)
    assert target.database.password not in masker.text(f"connecting with {target.database.password}")


def test_a_secret_inside_a_name_leaves_the_name_and_is_masked_as_a_word() -> None:
    masker = Masker(["hunter22"])
    assert masker.text("service hunter22-db answers; password hunter22 refused") == (
        f"service hunter22-db answers; password {MASK} refused"
    )
    doc = {"drill": "orders-hunter22", "service": "hunter22-db", "detail": "login hunter22"}
    assert masker.document(doc) == {"drill": "orders-hunter22", "service": "hunter22-db", "detail": f"login {MASK}"}


def test_which_secrets_are_masked_is_said_by_label_and_clashes_are_named() -> None:
    target = spec.load(CATALOG / "db-outage.yaml").target
    masker = Masker.for_target(target)
    assert "the database password (target.database.password)" in masker.masked
    assert all(target.database.password not in label for label in masker.masked)
    clash = masker.clashes([("service", f"cache-{target.database.password}"), ("service", "app")])
    assert len(clash) == 1 and clash[0].startswith(f"service 'cache-{target.database.password}' contains the database")
