"""The configuration files of the replica's Prometheus and Alertmanager, from the team's.

The team's rules are loaded as written, with only their durations scaled
(`drills/observe/monitoring/scaling.py`); its Alertmanager routes, grouping
and inhibitions are kept, and only what leaves the replica is replaced: every
receiver becomes a webhook to the sink, under its own name, so a delivery says
which of the team's receivers it was routed to. Pure functions of their
inputs: the files are tested without an engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drillbook.drills.observe.monitoring.scaling import Intervals, Rewrite, format_duration, parse_duration
from drillbook.replicas.monitoring.endpoints import ALERTMANAGER, CONFIG_DIR, PUSHGATEWAY, SINK

TEAM_RULES = f"{CONFIG_DIR}/team-rules.yml"
RUNBOOK_RULES = f"{CONFIG_DIR}/runbook-rules.yml"
DEFAULT_RECEIVER = "drillbook-sink"

ROUTE_TIMINGS = {"group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}
"""Alertmanager's defaults, scaled like the team's own when its route leaves them out."""


@dataclass(frozen=True)
class ScrapeTarget:
    """One of the team's services Prometheus scrapes, by its name on the replica's network."""

    service: str
    host: str
    port: int
    path: str = "/metrics"


def prometheus(targets: Sequence[ScrapeTarget], every: Intervals) -> dict[str, Any]:
    """prometheus.yml: drillbook's observations (the Pushgateway, labels kept as pushed) and
    the team's targets, the team's rules and the shipped runbook rules, one Alertmanager."""
    jobs: list[dict[str, Any]] = [
        {
            "job_name": "drillbook",
            "honor_labels": True,
            "static_configs": [{"targets": [f"{PUSHGATEWAY.host}:{PUSHGATEWAY.port}"]}],
        }
    ]
    jobs += [
        {
            "job_name": t.service,
            "metrics_path": t.path,
            "static_configs": [{"targets": [f"{t.host}:{t.port}"], "labels": {"service": t.service}}],
        }
        for t in targets
    ]
    return {
        "global": {
            "scrape_interval": format_duration(every.scrape_s),
            "scrape_timeout": format_duration(every.scrape_s),
            "evaluation_interval": format_duration(every.evaluation_s),
        },
        "rule_files": [TEAM_RULES, RUNBOOK_RULES],
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"{ALERTMANAGER.host}:{ALERTMANAGER.port}"]}]}]
        },
        "scrape_configs": jobs,
    }


def alertmanager(
    team: Mapping[str, Any] | None, time_scale: float, every: Intervals
) -> tuple[dict[str, Any], list[Rewrite]]:
    """alertmanager.yml: the team's routes and inhibitions with every receiver a webhook to the
    sink, and the route timings scaled (each rewrite returned); a default route without one."""
    rewrites: list[Rewrite] = []
    if team is None:
        route: dict[str, Any] = {"receiver": DEFAULT_RECEIVER, "group_by": ["alertname"]}
        receivers = [DEFAULT_RECEIVER]
    else:
        route = dict(team.get("route") or {"receiver": DEFAULT_RECEIVER})
        receivers = [str(r.get("name")) for r in team.get("receivers") or [] if r.get("name")] or [DEFAULT_RECEIVER]
    route = _scaled_route(route, time_scale, every, rewrites, top=True)
    document: dict[str, Any] = {
        "route": route,
        "receivers": [
            {"name": name, "webhook_configs": [{"url": sink_url(name), "send_resolved": True}]} for name in receivers
        ],
    }
    if team is not None:
        for key in ("inhibit_rules", "time_intervals", "mute_time_intervals"):
            if key in team:
                document[key] = team[key]
    return document, rewrites


def sink_url(receiver: str) -> str:
    """The sink's address for one of the team's receivers: the path says which it was."""
    return f"http://{SINK.host}:{SINK.port}/{receiver}"


def receivers_named(route: Mapping[str, Any]) -> set[str]:
    """Every receiver a route tree names, for the check that each has a definition."""
    named = {str(route["receiver"])} if route.get("receiver") else set()
    for child in route.get("routes") or []:
        named |= receivers_named(child)
    return named


def _scaled_route(
    route: Mapping[str, Any], time_scale: float, every: Intervals, rewrites: list[Rewrite], *, top: bool
) -> dict[str, Any]:
    scaled = dict(route)
    defaults = ROUTE_TIMINGS if top else {}
    where = str(route.get("receiver") or "route")
    for key in ROUTE_TIMINGS:
        written = route.get(key, defaults.get(key))
        if written is None:
            continue
        seconds = parse_duration(str(written))
        after = format_duration(max(every.evaluation_s, seconds * time_scale)) if time_scale != 1.0 else str(written)
        scaled[key] = after
        if after != str(written):
            rewrites.append(Rewrite("alertmanager", where, key, str(written), after))
    if route.get("routes"):
        scaled["routes"] = [_scaled_route(r, time_scale, every, rewrites, top=False) for r in route["routes"]]
    return scaled
