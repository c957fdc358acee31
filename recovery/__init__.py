"""How it is put right: one module per procedure, found by name.

Each module defines `PROCEDURE`, a `recovery.base.Procedure`. Other packages
add procedures under the `drillbook.procedures` entry point group.
"""

from __future__ import annotations

from drillbook.plugins import Registry
from drillbook.recovery.base import AnyProcedure, Procedure, Step, StepContext

REGISTRY: Registry[AnyProcedure] = Registry(
    kind="recovery procedure",
    group="drillbook.procedures",
    builtin={
        "restart_database": "drillbook.recovery.restart_database",
        "git_rollback": "drillbook.recovery.git_rollback",
        "config_rollback": "drillbook.recovery.config_rollback",
        "terminate_long_queries": "drillbook.recovery.terminate_long_queries",
        "kill_runaway": "drillbook.recovery.kill_runaway",
        "reconnect_network": "drillbook.recovery.reconnect_network",
        "terminate_idle_connections": "drillbook.recovery.terminate_idle_connections",
        "clear_network_fault": "drillbook.recovery.clear_network_fault",
        "free_disk_space": "drillbook.recovery.free_disk_space",
        "payment_fallback": "drillbook.recovery.payment_fallback",
        "readonly_mode": "drillbook.recovery.readonly_mode",
        "restore_dump": "drillbook.recovery.restore_dump",
        "pitr": "drillbook.recovery.pitr",
        "failover": "drillbook.recovery.failover",
        "restart_cache": "drillbook.recovery.restart_cache",
        "restart_websocket": "drillbook.recovery.restart_websocket",
        "rotate_credentials": "drillbook.recovery.rotate_credentials",
        "swarm_reschedule": "drillbook.recovery.swarm_reschedule",
        "service_rollback": "drillbook.recovery.service_rollback",
    },
    attribute="PROCEDURE",
)

__all__ = ["REGISTRY", "Procedure", "Step", "StepContext"]
