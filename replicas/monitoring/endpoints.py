"""Where the monitoring's four containers answer, and where their files go: the names a
drill's monitoring configuration is written against (`drills/observe/monitoring/config.py`)
before any container exists, apart from the engine work of starting them (`stack.py`)."""

from __future__ import annotations

from dataclasses import dataclass

CONFIG_DIR = "/etc/drillbook"


@dataclass(frozen=True)
class Endpoint:
    """One of the four: its container's name, its host name on the replica's networks, its port."""

    name: str
    host: str
    port: int


SINK = Endpoint("alertsink", "drillbook-alertsink", 8080)
PUSHGATEWAY = Endpoint("pushgateway", "drillbook-pushgateway", 9091)
ALERTMANAGER = Endpoint("alertmanager", "drillbook-alertmanager", 9093)
PROMETHEUS = Endpoint("prometheus", "drillbook-prometheus", 9090)
FILES = ("prometheus.yml", "alertmanager.yml", "team-rules.yml", "runbook-rules.yml")
"""The files `start` takes, put in CONFIG_DIR of Prometheus and Alertmanager."""
