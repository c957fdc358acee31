"""Fixtures for tests against a real Docker engine (marked `docker`)."""

from __future__ import annotations

import pathlib
import secrets
from collections.abc import Iterator

import pytest
from docker import DockerClient

from drills import spec
from replicas import engine, images, labels
from replicas.replica import Replica
from replicas.target import Target

ROOT = pathlib.Path(__file__).resolve().parents[1]
CATALOG = ROOT / "drills" / "catalog"


@pytest.fixture(scope="session")
def docker_client() -> DockerClient:
    return engine.connect()


@pytest.fixture(scope="session")
def built_images(docker_client: DockerClient) -> None:
    """Images are built once per run (and only when their inputs changed)."""
    images.ensure(docker_client, list(images.RECIPES))


@pytest.fixture(scope="session")
def sample_target() -> Target:
    return spec.load(CATALOG / "db-outage.yaml").target


def drillbook_objects(client: DockerClient) -> list[str | None]:
    wanted = labels.filter_for()
    return (
        [c.name for c in client.containers.list(all=True, filters=wanted)]
        + [n.name for n in client.networks.list(filters=wanted)]
        + [v.name for v in client.volumes.list(filters=wanted)]
    )


@pytest.fixture
def no_leftovers(docker_client: DockerClient) -> Iterator[None]:
    """Fails the test if it leaves any drillbook container, network or volume."""
    yield
    assert drillbook_objects(docker_client) == []


@pytest.fixture
def replica(
    docker_client: DockerClient, built_images: None, sample_target: Target, no_leftovers: None
) -> Iterator[Replica]:
    with Replica(docker_client, sample_target, f"test-{secrets.token_hex(4)}") as running:
        yield running
