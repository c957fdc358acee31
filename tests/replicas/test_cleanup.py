"""The survey of drillbook's objects reads what the engine's list calls return and asks no
more: a container removed by a drill running beside it between the list and an inspect
would otherwise end `drillbook run` in a traceback (seen with three drills at once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from docker import DockerClient

from drillbook.replicas import cleanup, labels


@dataclass
class Listing:
    """The engine's list answers; inspecting one container is a removed container's 404."""

    rows: list[dict[str, Any]]
    asked: list[dict[str, Any]] = field(default_factory=list)

    def containers(self, all: bool, filters: dict[str, Any]) -> list[dict[str, Any]]:
        self.asked.append(filters)
        return self.rows


class NoModels:
    def list(self, **_: Any) -> list[Any]:
        return []


class Engine:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.api = Listing(rows)
        self.networks = self.volumes = NoModels()

    @property
    def containers(self) -> Any:
        raise AssertionError("the SDK's containers.list inspects each container: a race with other drills")


def test_the_survey_groups_containers_by_drill_from_the_list_alone() -> None:
    mine = {labels.MANAGED: "true", labels.DRILL: "d1", labels.OWNER: labels.owner()}
    rows = [
        {"Id": "a1", "Names": ["/drillbook-d1-db"], "Labels": mine},
        {"Id": "b2", "Names": ["/drillbook-d2-app"], "Labels": {**mine, labels.DRILL: "d2", labels.OWNER: "x:1:2"}},
        {"Id": "c3", "Names": ["/someone-else"], "Labels": {}},
    ]
    engine = Engine(rows)
    found = cleanup.survey(cast(DockerClient, engine))
    assert [(d.drill_id, d.containers, d.alive) for d in found] == [
        ("d1", ["drillbook-d1-db"], True),
        ("d2", ["drillbook-d2-app"], True),  # another host's owner: not ours to judge
    ]
    assert engine.api.asked == [labels.filter_for()]
