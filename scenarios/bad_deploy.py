"""A bad deploy: the broken release is committed to the desired state and reconciled.

That commit is the deploy, exactly as the team's GitOps would do it, with the
target's deploy method (recreate or rolling). A release whose container exits
at start or never answers (the most common bad deploy) stays deployed: that is
the fault, measured from the commit. The fault does not heal itself; revert is
a `git revert` of that commit and a reconcile, if the procedure has not already
rolled it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drillbook.replicas.protocols import Deploys
from drillbook.replicas.target import Target
from drillbook.scenarios.base import Fault, Scenario, named_service
from drillbook.scenarios.gitops import committed, release_image, reported_version


def images(
    target: Target, release: str = "1.1.0", service: str | None = None, ready_timeout_s: float = 60.0
) -> tuple[str, ...]:
    return (release_image(target, service or target.app, release),)


def check(target: Target, release: str = "1.1.0", service: str | None = None, ready_timeout_s: float = 60.0) -> None:
    named_service(target, "bad_deploy", service, target.app)


@contextmanager
def inject(
    replica: Deploys, release: str = "1.1.0", service: str | None = None, ready_timeout_s: float = 60.0
) -> Iterator[Fault]:
    """`ready_timeout_s`: how long the deploy waits for the new release to answer before it is
    left as it is (a release that never becomes ready is the fault, not a hang of the drill)."""
    name = service or replica.target.app
    image = release_image(replica.target, name, release)

    def set_image(doc: dict[str, Any]) -> None:
        doc["services"][name]["image"] = image

    # The deploy is the fault: users meet it from the commit on, while the old
    # container is replaced.
    with committed(
        replica,
        f"deploy of {image} to {name!r}",
        set_image,
        f"deploy {name} {release}",
        lambda: replica.desired_states()[name].image == image,
        begins_at_commit=True,
        not_ready_is_fault=True,
        ready_timeout_s=ready_timeout_s,
    ) as fault:
        version = reported_version(replica)
        fault.description += f", health reports version {version}" if version else ", health gives no version"
        yield fault


SCENARIO = Scenario(
    name="bad_deploy",
    description="A broken release is deployed: a commit to the desired state, then a reconcile.",
    expected_alerts=("high_error_rate", "health_check_fail", "response_time_slow"),
    expected_recovery="git_rollback",
    rehearses=("major-features-broken", "high-error-rates", "web-server-down"),
    steps=(
        "commit the release's image tag for the service to the desired-state repository",
        "reconcile: the service's container is recreated on the new image",
    ),
    inject=inject,
    images=images,
    check=check,
)
