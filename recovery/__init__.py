"""How it is put right: one module per procedure, found by name.

Each module defines `PROCEDURE`, a `recovery.base.Procedure`. Other packages
add procedures under the `drillbook.procedures` entry point group.
"""

from __future__ import annotations

from drillbook.plugins import Registry
from recovery.base import Procedure, Step, StepContext

REGISTRY: Registry[Procedure] = Registry(
    kind="recovery procedure",
    group="drillbook.procedures",
    builtin={
        "restart_database": "recovery.restart_database",
        "git_rollback": "recovery.git_rollback",
        "config_rollback": "recovery.config_rollback",
        "terminate_long_queries": "recovery.terminate_long_queries",
        "kill_runaway": "recovery.kill_runaway",
        "reconnect_network": "recovery.reconnect_network",
        "terminate_idle_connections": "recovery.terminate_idle_connections",
        "clear_network_fault": "recovery.clear_network_fault",
        "free_disk_space": "recovery.free_disk_space",
        "payment_fallback": "recovery.payment_fallback",
        "readonly_mode": "recovery.readonly_mode",
        "restore_dump": "recovery.restore_dump",
        "pitr": "recovery.pitr",
        "failover": "recovery.failover",
    },
    attribute="PROCEDURE",
)

__all__ = ["REGISTRY", "Procedure", "Step", "StepContext"]
