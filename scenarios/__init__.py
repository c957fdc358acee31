"""What goes wrong: one module per fault, found by name.

Each module defines `SCENARIO`, a `scenarios.base.Scenario`. Other packages add
scenarios under the `drillbook.scenarios` entry point group.
"""

from __future__ import annotations

from drillbook.plugins import Registry
from drillbook.scenarios.base import Fault, Scenario

REGISTRY: Registry[Scenario] = Registry(
    kind="scenario",
    group="drillbook.scenarios",
    builtin={
        "db_outage": "drillbook.scenarios.db_outage",
        "bad_deploy": "drillbook.scenarios.bad_deploy",
        "memory_leak": "drillbook.scenarios.memory_leak",
        "lock_contention": "drillbook.scenarios.lock_contention",
        "runaway_process": "drillbook.scenarios.runaway_process",
        "network_partition": "drillbook.scenarios.network_partition",
        "crash_loop": "drillbook.scenarios.crash_loop",
        "connection_exhaustion": "drillbook.scenarios.connection_exhaustion",
        "slow_database": "drillbook.scenarios.slow_database",
        "disk_full": "drillbook.scenarios.disk_full",
        "payment_outage": "drillbook.scenarios.payment_outage",
        "data_loss": "drillbook.scenarios.data_loss",
        "data_corruption": "drillbook.scenarios.data_corruption",
        "primary_failure": "drillbook.scenarios.primary_failure",
        "cache_outage": "drillbook.scenarios.cache_outage",
        "leaked_credential": "drillbook.scenarios.leaked_credential",
        "websocket_outage": "drillbook.scenarios.websocket_outage",
        "node_lost": "drillbook.scenarios.node_lost",
        "bad_rollout": "drillbook.scenarios.bad_rollout",
        "primary_node_lost": "drillbook.scenarios.primary_node_lost",
        "task_crash": "drillbook.scenarios.task_crash",
        "leader_lost": "drillbook.scenarios.leader_lost",
    },
    attribute="SCENARIO",
)

__all__ = ["REGISTRY", "Fault", "Scenario"]
