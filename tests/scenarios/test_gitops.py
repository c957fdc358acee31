"""The fault as a commit of desired state (scenarios/gitops.py), on the fake replica."""

from __future__ import annotations

from typing import Any

from drillbook.scenarios import gitops
from tests.fakes import FakeReplica, did


def test_a_change_rolled_back_by_the_procedure_is_not_reverted_twice(fake: FakeReplica) -> None:
    def bump(doc: dict[str, Any]) -> None:
        doc["services"]["app"]["image"] = "drillbook/returns-service:1.2.0"

    def in_effect() -> bool:
        return fake.desired_states()["app"].image.endswith(":1.2.0")

    with gitops.committed(fake, "deploy", bump, "deploy 1.2.0", in_effect, begins_at_commit=True) as fault:
        fake.revert(fake.desired.head())  # the procedure's git revert
    assert fault.revert_detail is None and len(did(fake, "revert")) == 1


def test_a_release_is_the_service_image_with_the_release_as_its_tag(fake: FakeReplica) -> None:
    assert gitops.release_image(fake.target, "app", "2.0") == "drillbook/returns-service:2.0"
    assert gitops.release_image(fake.target, "db", "16") == f"{fake.target.service('db').image.rsplit(':', 1)[0]}:16"
