"""A bad rollout: the broken release committed and rolled out by Swarm across the app's replicas.

The same commit as `bad_deploy`, reconciled the swarm's way: a rolling update,
one task at a time, each watched for two seconds before the next. The broken
release starts and answers its health check, so the swarm sees nothing wrong
and replaces every replica; its users meet the errors. What the swarm can undo
on its own is its previous spec (`docker service rollback`), which leaves git
saying the broken release: `service_rollback` puts git right after.
"""

from __future__ import annotations

from drillbook.scenarios import bad_deploy
from drillbook.scenarios.base import Scenario

SCENARIO = Scenario(
    name="bad_rollout",
    description="A broken release rolled out by the swarm across the app's replicas, by a commit and a reconcile.",
    expected_alerts=bad_deploy.SCENARIO.expected_alerts,
    expected_recovery="service_rollback",
    rehearses=bad_deploy.SCENARIO.rehearses,
    steps=(
        "commit the release's image tag for the app to the desired-state repository",
        "reconcile: `docker service update`, the swarm replaces the app's tasks one at a time",
        "the release starts and answers its health check: every replica is replaced",
    ),
    inject=bad_deploy.inject,
    images=bad_deploy.images,
    check=bad_deploy.check,
    engines=("swarm",),
)
