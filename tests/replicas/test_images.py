"""The built images themselves: what a local cluster's nodes each load a copy of."""

from __future__ import annotations

import pytest
from docker import DockerClient

from drillbook.replicas import labels, recipes

pytestmark = [pytest.mark.docker, pytest.mark.beside]


@pytest.mark.usefixtures("built_images")
def test_no_image_keeps_what_apt_downloaded(docker_client: DockerClient) -> None:
    """apt deletes its packages once installed (the base's docker-clean): base recipe 2 forgot,
    and every image kept its .deb files, 149 MB of PostgreSQL's 370."""
    kept = {}
    for tag in sorted(recipes.RECIPES):
        found = docker_client.containers.run(
            tag,
            [
                "find",
                "/var/cache/apt",
                "/var/lib/apt/lists",
                "-type",
                "f",
                "(",
                "-name",
                "*.deb",
                "-o",
                "-name",
                "*.bin",
                "-o",
                "-name",
                "*_Packages*",
                ")",
            ],
            entrypoint=[],
            user="0",  # some run as a user of their own, who may not read apt's folders
            remove=True,
            network_mode="none",
            labels=labels.for_drill("tests-image-check"),
        )
        if found.strip():
            kept[tag] = found.decode().split()[:3]
    assert kept == {}
