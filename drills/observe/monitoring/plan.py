"""A drill's `monitoring:` section, checked and turned into the files of its Prometheus.

Everything here runs before anything is started: a rules file promtool
refuses (its message passed on), an Alertmanager file whose routes name a
receiver it does not define, a scrape target the target does not have, an
expected alert no rule raises: each is refused with the drill file's line.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from drillbook import inputs
from drillbook.drills.observe.monitoring import config, promtool
from drillbook.drills.observe.monitoring.paths import RUNBOOK_RULES
from drillbook.drills.observe.monitoring.scaling import Intervals, Rewrite, intervals, parse_duration, scale_rules
from drillbook.drills.schema import MonitoringModel
from drillbook.errors import SpecError
from drillbook.replicas.target import Target

RUNBOOK_LABEL = "drillbook_rules"
"""Marks the alerts of the shipped runbook rules, so they are told from the team's."""
RUNBOOK_RECEIVER = "drillbook-runbook"
"""Where the runbook rules' alerts are routed: beside the team's routes, never through them."""


@dataclass(frozen=True)
class TeamRule:
    """One of the team's alerting rules: its name and the labels it raises its alert with."""

    name: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Plan:
    rules_file: pathlib.Path
    alertmanager_file: pathlib.Path | None
    rules: tuple[TeamRule, ...]
    expected: tuple[str, ...]
    """The team's alerts this fault should fire."""
    every: Intervals
    rewrites: tuple[Rewrite, ...]
    files: Mapping[str, bytes] = field(repr=False)
    networks: tuple[str, ...]
    """The Compose networks of the services Prometheus scrapes."""
    floor_allowance_s: float = 0.0
    """What the floors add to a scrape and an evaluation beyond the scaled intervals."""


Locate = Callable[..., str]
"""DrillSpec.locate: `file:line: ` of a part of the drill file."""


def plan(
    model: MonitoringModel,
    folder: pathlib.Path,
    target: Target,
    time_scale: float,
    expected_runbook_alerts: Sequence[str],
    locate: Locate,
) -> Plan:
    rules_file = (folder / model.rules).resolve()
    rules_document = _yaml(rules_file, "Prometheus rules", locate("monitoring", "rules"))
    promtool.check_rules(rules_file)
    team = _team_rules(rules_document)
    targets = []
    services = {s.name: s for s in target.services}
    for index, scrape in enumerate(model.scrape):
        service = services.get(scrape.service)
        if service is None:
            raise SpecError(
                f"{locate('monitoring', 'scrape', index, 'service')}monitoring.scrape names the service "
                f"{scrape.service!r}, which the target {target.name!r} does not have (its services: "
                f"{', '.join(sorted(services))}). Name one of them, or leave the target out of `scrape`."
            )
        targets.append(config.ScrapeTarget(service.name, service.host, scrape.port, scrape.path))
    expected = _expected(model, team, expected_runbook_alerts, locate)
    production_s = parse_duration(model.scrape_interval)
    every = intervals(time_scale, production_s)
    scaled_team, rewrites = scale_rules(rules_document, time_scale, every)
    runbook_document = yaml.safe_load(RUNBOOK_RULES.read_text(encoding="utf-8"))
    scaled_runbook, _ = scale_rules(_marked(runbook_document), time_scale, every)
    alertmanager_file = (folder / model.alertmanager).resolve() if model.alertmanager else None
    am, am_rewrites = _routes(alertmanager_file, time_scale, every, locate)
    files = {
        "prometheus.yml": _dump(config.prometheus(targets, every)),
        "alertmanager.yml": _dump(am),
        "team-rules.yml": _dump(scaled_team),
        "runbook-rules.yml": _dump(scaled_runbook),
    }
    networks = tuple(dict.fromkeys(n for t in targets for n in services[t.service].networks))
    return Plan(
        rules_file=rules_file,
        alertmanager_file=alertmanager_file,
        rules=team,
        expected=expected,
        every=every,
        rewrites=(*rewrites, *am_rewrites),
        files=files,
        networks=networks,
        floor_allowance_s=round(2 * max(0.0, every.scrape_s - production_s * time_scale), 3),
    )


def _routes(
    path: pathlib.Path | None, time_scale: float, every: Intervals, locate: Locate
) -> tuple[dict[str, Any], list[Rewrite]]:
    """The Alertmanager configuration: the team's (or a default route), with the runbook rules'
    alerts routed to a receiver of their own ahead of the team's routes."""
    where = locate("monitoring", "alertmanager")
    team = _alertmanager(path, where) if path is not None else None
    try:
        am, rewrites = config.alertmanager(team, time_scale, every)
    except (ValueError, TypeError, AttributeError) as exc:  # a route of the wrong shape or a bad duration
        raise SpecError(
            f"{where}The Alertmanager file {path} is not one Alertmanager accepts: {exc}. Fix that route "
            "(`amtool check-config` shows the same), then try again."
        ) from None
    am["route"].setdefault("routes", []).insert(
        0, {"receiver": RUNBOOK_RECEIVER, "matchers": [f'{RUNBOOK_LABEL}="runbook"'], "continue": False}
    )
    am["receivers"].append(
        {
            "name": RUNBOOK_RECEIVER,
            "webhook_configs": [{"url": config.sink_url(RUNBOOK_RECEIVER), "send_resolved": True}],
        }
    )
    return am, rewrites


def _yaml(path: pathlib.Path, kind: str, where: str) -> dict[str, Any]:
    try:
        text = inputs.read_text(path, kind)
    except SpecError as exc:
        raise SpecError(f"{where}{exc}") from None
    data, _lines = inputs.load_yaml(text, path, kind)
    if not isinstance(data, dict):
        raise SpecError(f"{where}The {kind} file {path} is not a YAML mapping; see the example in the README.")
    return data


def _team_rules(document: Mapping[str, Any]) -> tuple[TeamRule, ...]:
    return tuple(
        TeamRule(str(rule["alert"]), {str(k): str(v) for k, v in (rule.get("labels") or {}).items()})
        for group in document.get("groups") or []
        for rule in group.get("rules") or []
        if rule.get("alert")
    )


def _expected(
    model: MonitoringModel, team: Sequence[TeamRule], runbook_alerts: Sequence[str], locate: Locate
) -> tuple[str, ...]:
    names = {r.name for r in team}
    if model.expect is not None:
        for index, name in enumerate(model.expect):
            if name not in names:
                raise SpecError(
                    f"{locate('monitoring', 'expect', index)}monitoring.expect names {name!r}, which no rule of "
                    f"the rules file raises (its alerts: {', '.join(sorted(names)) or 'none'}). Use the rule's "
                    "`alert:` name."
                )
        return tuple(dict.fromkeys(model.expect))
    wanted = set(runbook_alerts)
    return tuple(dict.fromkeys(r.name for r in team if r.name in wanted or wanted & set(r.labels.values())))


def _marked(document: Mapping[str, Any]) -> dict[str, Any]:
    """The runbook rules, each alert labelled as drillbook's."""
    return {
        "groups": [
            {
                **group,
                "rules": [
                    {**rule, "labels": {**(rule.get("labels") or {}), RUNBOOK_LABEL: "runbook"}}
                    for rule in group.get("rules") or []
                ],
            }
            for group in document.get("groups") or []
        ]
    }


def _alertmanager(path: pathlib.Path, where: str) -> dict[str, Any]:
    document = _yaml(path, "Alertmanager configuration", where)
    route = document.get("route")
    if not isinstance(route, dict):
        raise SpecError(f"{where}The Alertmanager file {path} has no `route:`; Alertmanager refuses it as well.")
    defined = {str(r.get("name")) for r in document.get("receivers") or [] if isinstance(r, dict)}
    undefined = sorted(config.receivers_named(route) - defined)
    if undefined:
        raise SpecError(
            f"{where}The Alertmanager file {path} routes to {', '.join(map(repr, undefined))}, which its "
            "`receivers:` do not define; Alertmanager refuses that. Define the receiver or correct the route."
        )
    return document


def _dump(document: Mapping[str, Any]) -> bytes:
    return yaml.safe_dump(dict(document), sort_keys=False).encode()
