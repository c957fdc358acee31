"""The images drillbook builds from this repository: each one's name and recipe, as data.

Apart from the building (`images.py`) so that what only names an image, a drill file's
check or a target's rewrite, imports no engine client.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

HERE = pathlib.Path(__file__).resolve().parent
BASE_IMAGE = "debian:bookworm-slim"


@dataclass(frozen=True)
class Recipe:
    """How to build one built-in image from this repository."""

    tag: str
    dockerfile_dir: pathlib.Path
    extra: dict[str, pathlib.Path] = field(default_factory=dict)
    requirements: pathlib.Path | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    parent: str | None = None
    """A built-in image this one starts FROM: built first, and its id is part of the inputs."""


SAMPLE_IMAGE = "drillbook/returns-service"
SAMPLE_RELEASES = {
    # release tag: the defect it was built with ("" for a good release)
    "1.0.0": "",
    "1.1.0": "orders-column",
}


def _sample(release: str, defect: str) -> Recipe:
    return Recipe(
        tag=f"{SAMPLE_IMAGE}:{release}",
        dockerfile_dir=HERE / "images" / "sample",
        extra={"returns_service": HERE / "sample" / "returns_service"},
        requirements=HERE / "images" / "sample" / "requirements.txt",
        build_args={"VERSION": release, "RELEASE_DEFECT": defect},
    )


TRACKER_IMAGE = "drillbook/tracker"
TRACKER_RELEASES = {
    # release tag: the arguments it starts with (its defect, if any, is in them)
    "1.0.0": "--port 5000",
    "1.1.0": "--prot 5000",
    "1.2.0": "--port 5000 --serve-for-s 8",
}


def _tracker(release: str, args: str) -> Recipe:
    parent = f"{SAMPLE_IMAGE}:1.0.0"
    return Recipe(
        tag=f"{TRACKER_IMAGE}:{release}",
        dockerfile_dir=HERE / "images" / "tracker",
        extra={"tracker_service": HERE / "tracker" / "tracker_service"},
        build_args={"VERSION": release, "ARGS": args, "PARENT": parent},
        parent=parent,
    )


FAULT_PROXY_IMAGE = "drillbook/faultproxy:1"
TOOLBOX_IMAGE = "drillbook/toolbox:1"
REDIS_IMAGE = "drillbook/redis:7"
MONITORING_IMAGE = "drillbook/monitoring:1"
"""Prometheus, Alertmanager, Pushgateway and the webhook sink, from Debian's packages."""

RECIPES: dict[str, Recipe] = {
    r.tag: r
    for r in (
        Recipe(tag="drillbook/postgres:15", dockerfile_dir=HERE / "images" / "postgres"),
        Recipe(
            tag=FAULT_PROXY_IMAGE,
            dockerfile_dir=HERE / "images" / "faultproxy",
            extra={"faultproxy": HERE / "faultproxy"},
        ),
        Recipe(tag=TOOLBOX_IMAGE, dockerfile_dir=HERE / "images" / "toolbox"),
        Recipe(tag=MONITORING_IMAGE, dockerfile_dir=HERE / "images" / "monitoring"),
        Recipe(tag=REDIS_IMAGE, dockerfile_dir=HERE / "images" / "redis"),
        *(_sample(release, defect) for release, defect in SAMPLE_RELEASES.items()),
        *(_tracker(release, args) for release, args in TRACKER_RELEASES.items()),
    )
}
