"""Where the engine's, the database's and the service's own errors become drillbook's.

A procedure's step meets the Docker engine, PostgreSQL and the service over
HTTP; what they raise is mapped here, once, the way httpx maps transport
errors, so that nothing above `replicas` needs to know their exception types.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import docker.errors
import httpx
import psycopg

from drillbook.errors import EngineError, ReplicaError

FOREIGN: tuple[type[BaseException], ...] = (psycopg.Error, docker.errors.DockerException, httpx.HTTPError, OSError)
"""What the engine, PostgreSQL, the service over HTTP and the operating system raise."""


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


@contextmanager
def mapped() -> Iterator[None]:
    """Raise a foreign error as drillbook's: `EngineError` for the engine, `ReplicaError`
    for the database, the service, the system and an object gone, its message the error's first line."""
    try:
        yield
    except docker.errors.NotFound as exc:  # removed under us: the replica's state, not the engine's
        raise ReplicaError(first_line(exc)) from exc
    except docker.errors.DockerException as exc:
        raise EngineError(first_line(exc)) from exc
    except FOREIGN as exc:
        raise ReplicaError(first_line(exc)) from exc
