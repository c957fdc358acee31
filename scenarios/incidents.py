"""The incidents the team's Incident Response Guide names, as data: what a drill can rehearse.

Each severity's examples and each service of the guide's "Service Status
Check" are one `Incident`; every scenario lists the ones it rehearses
(`Scenario.rehearses`), and `drillbook coverage` sets them against the drills
and the history. The P3 examples are no recovery incident (a cosmetic bug is
fixed, not recovered from): they are listed, marked so, and never count as a
gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["P0", "P1", "P2", "P3"]


@dataclass(frozen=True)
class Incident:
    key: str
    title: str
    """As the guide writes it."""
    severity: Severity
    source: str
    """Where in the guide it is named."""
    recoverable: bool = True
    """False for what no drill can rehearse: no outage to recover from."""


_EXAMPLES = "Severity Levels, examples"
_STATUS = "Service Status Check"

INCIDENTS: tuple[Incident, ...] = (
    Incident("website-inaccessible", "Website completely inaccessible", "P0", _EXAMPLES),
    Incident("database-connection-failure", "Database connection failure", "P0", _EXAMPLES),
    Incident("payment-processing-down", "Payment processing down", "P0", _EXAMPLES),
    Incident("security-breach", "Security breach detected", "P0", _EXAMPLES),
    Incident("data-loss-or-corruption", "Data loss or corruption", "P0", _EXAMPLES),
    Incident("major-features-broken", "Major features broken (booking, tracking)", "P1", _EXAMPLES),
    Incident("high-error-rates", "High error rates (>10%)", "P1", _EXAMPLES),
    Incident("performance-severely-degraded", "Performance severely degraded", "P1", _EXAMPLES),
    Incident("driver-app-not-working", "Driver app not working", "P1", _EXAMPLES),
    Incident("minor-features-broken", "Minor features broken", "P2", _EXAMPLES),
    Incident("moderate-performance-issues", "Moderate performance issues", "P2", _EXAMPLES),
    Incident("non-critical-integrations-failing", "Non-critical integrations failing", "P2", _EXAMPLES),
    Incident("monitoring-alerts-firing", "Monitoring alerts firing", "P2", _EXAMPLES),
    Incident("cosmetic-bugs", "Cosmetic bugs", "P3", _EXAMPLES, recoverable=False),
    Incident("documentation-issues", "Documentation issues", "P3", _EXAMPLES, recoverable=False),
    Incident("non-urgent-feature-requests", "Non-urgent feature requests", "P3", _EXAMPLES, recoverable=False),
    # The status check's services: an outage of each is an incident of the severity it causes.
    Incident("web-server-down", "Web server (webServer) down", "P0", _STATUS),
    Incident("database-down", "Database (database) down", "P0", _STATUS),
    Incident("redis-down", "Redis cache (redis) down", "P1", _STATUS),
    Incident("stripe-down", "Stripe (stripe) unreachable", "P0", _STATUS),
    Incident("websockets-down", "WebSocket service (websockets) down", "P1", _STATUS),
    Incident("monitoring-down", "Monitoring (monitoring) down", "P2", _STATUS),
)

BY_KEY = {i.key: i for i in INCIDENTS}


def unknown(keys: tuple[str, ...]) -> list[str]:
    """The keys that name no incident of the guide."""
    return [k for k in keys if k not in BY_KEY]
