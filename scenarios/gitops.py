"""Helpers for faults that are commits to the desired state."""

from __future__ import annotations

import httpx

from replicas.replica import Replica
from replicas.target import Target


def release_image(target: Target, service: str, release: str) -> str:
    """The image of `release`: the service's image repository with the release as its tag."""
    image = target.service(service).image
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repository}:{release}"


def reported_version(replica: Replica) -> str | None:
    """The version the service's health endpoint reports, if it reports one."""
    try:
        body = httpx.get(replica.url() + replica.target.health, timeout=2.0).json()
    except (httpx.HTTPError, ValueError):
        return None
    version = body.get("version") if isinstance(body, dict) else None
    return None if version is None else str(version)
