"""A constructed result document for report tests: no drill, no Docker."""

from __future__ import annotations

from typing import Any


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": "2",
        "drill": "db-outage",
        "verdict": "failed",
        "error": None,
        "started_at": "2026-11-26T17:00:00.000+00:00",
        "time_scale": 0.05,
        "tier": "customer-facing",
        "target": "sample",
        "scenario": "db_outage(mode='kill')",
        "recovery": "restart_database",
        "measurements": {
            "injected_at": 8.5,
            "disrupted_at": 8.55,
            "detected_at": 8.56,
            "recovered_at": 1000.1,
            "downtime_s": 991.55,
            "time_to_detect_s": 0.06,
            "time_to_recover_s": 991.54,
            "acked_writes": 120,
            "lost_writes": 3,
            "lost_after_injection": 1,
            "rpo_s": 4.25,
        },
        "objectives": [
            {"name": "RTO", "target_s": 900, "measured_s": 991.55, "met": False},
            {"name": "RPO", "target_s": 300, "measured_s": 4.25, "met": True},
        ],
        "checks": [{"name": "data_check", "ok": False, "detail": "120 acknowledged writes, 3 lost"}],
        "alerts": [{"rule": "database_down", "fired_at": 8.56, "severity": "P0"}],
        "recovery_steps": [
            {"name": "wait for PostgreSQL", "started_at": 9.0, "finished_at": 10.25, "ok": True, "detail": "answers"}
        ],
        "timeline": [
            {"t": 0.0, "wall": "2026-11-26T17:00:00.000+00:00", "kind": "phase", "detail": "provisioning"},
            {"t": 3.0, "wall": "2026-11-26T17:00:03.000+00:00", "kind": "phase", "detail": "steady state"},
            {"t": 8.5, "wall": "2026-11-26T17:00:08.500+00:00", "kind": "fault", "detail": "injected db_outage"},
            {"t": 8.56, "wall": "2026-11-26T17:00:08.560+00:00", "kind": "alert", "detail": "database_down fired"},
            {"t": 9.0, "wall": "2026-11-26T17:00:09.000+00:00", "kind": "phase", "detail": "recovering"},
        ],
        "severity": "P0",
        "duration_s": 1012.0,
        "drill_id": "db-outage-0badcafe",
        "lost_writes": [
            {"id": "17", "acked_at": 4.25, "reason": "missing"},
            {"id": "18", "acked_at": 5.0, "reason": "missing"},
            {"id": "40", "acked_at": 9.1, "reason": "changed"},
        ],
        "flows": {
            "create order": {"requests": 200, "ok": 150, "availability": 0.75},
            "admin metrics": {"requests": 100, "ok": 100, "availability": 1.0},
        },
        "flows_during_incident": {"create order": {"requests": 40, "ok": 0, "availability": 0.0}},
        "continuity": [
            {"service": "Customer order creation", "flow": "create order"},
            {"service": "Payment processing", "flow": None},
            {"service": "Admin dashboard", "flow": "admin metrics"},
        ],
        "samples": {
            "traffic": [
                {"t": 1.0, "requests": 20, "errors": 0, "mean_latency_ms": 12.0, "max_latency_ms": 30.0},
                {"t": 9.0, "requests": 20, "errors": 20, "mean_latency_ms": 900.0, "max_latency_ms": 1900.0},
            ],
            "memory": [["app", 1.0, 50, 100], ["app", 9.0, 60, 100]],
            "probes": [],
        },
        "environment": {"host": "ci-runner-3", "drillbook_commit": "abc123"},
    }
    doc.update(changes)
    return doc
