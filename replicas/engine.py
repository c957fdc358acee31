"""Connecting to the Docker engine, with errors that say what to do."""

from __future__ import annotations

import os

import docker
import docker.errors
from docker import DockerClient

from drillbook.errors import EngineError


def connect(timeout_s: float = 30.0) -> DockerClient:
    """A client to a running engine, or an `EngineError` that explains the fix."""
    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        client = docker.from_env(timeout=int(timeout_s))
        client.ping()
    except (docker.errors.DockerException, OSError) as exc:
        raise EngineError(
            f"Cannot reach the Docker engine at {where} ({_first_line(exc)}). drillbook runs "
            "real containers and needs a running engine: start it with `make docker` "
            "(installs and starts Debian's docker.io when run as root), or "
            "`sudo systemctl start docker`, check that `docker info` works, then try again."
        ) from exc
    return client


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
