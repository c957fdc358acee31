"""What goes wrong: one module per fault, found by name.

Each module defines `SCENARIO`, a `scenarios.base.Scenario`. Other packages add
scenarios under the `drillbook.scenarios` entry point group.
"""

from __future__ import annotations

from drillbook.plugins import Registry
from scenarios.base import Fault, Scenario

REGISTRY: Registry[Scenario] = Registry(
    kind="scenario",
    group="drillbook.scenarios",
    builtin={
        "db_outage": "scenarios.db_outage",
        "bad_deploy": "scenarios.bad_deploy",
        "memory_leak": "scenarios.memory_leak",
        "lock_contention": "scenarios.lock_contention",
        "runaway_process": "scenarios.runaway_process",
        "network_partition": "scenarios.network_partition",
        "crash_loop": "scenarios.crash_loop",
        "connection_exhaustion": "scenarios.connection_exhaustion",
        "slow_database": "scenarios.slow_database",
        "disk_full": "scenarios.disk_full",
        "payment_outage": "scenarios.payment_outage",
        "data_loss": "scenarios.data_loss",
        "data_corruption": "scenarios.data_corruption",
        "primary_failure": "scenarios.primary_failure",
    },
    attribute="SCENARIO",
)

__all__ = ["REGISTRY", "Fault", "Scenario"]
