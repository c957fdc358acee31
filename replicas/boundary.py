"""Where the engine's, the database's and the service's own errors become drillbook's.

A procedure's step meets the Docker engine, PostgreSQL and the service over
HTTP; what they raise is mapped here, once, the way httpx maps transport
errors, so that nothing above `replicas` needs to know their exception types.
Their clients are imported only when an error is to be mapped: a module that
merely wraps its calls here (a declared step, checked by `validate`) loads
none of them, and by the time one of them raised, it is loaded already.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drillbook.errors import EngineError, ReplicaError


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def as_drillbooks(exc: Exception) -> EngineError | ReplicaError | None:
    """`EngineError` for the engine, `ReplicaError` for the database, the service, the system
    and an object removed under us (the replica's state, not the engine's); None for what is
    none of theirs."""
    import docker.errors
    import httpx
    import psycopg

    if isinstance(exc, docker.errors.NotFound):
        return ReplicaError(first_line(exc))
    if isinstance(exc, docker.errors.DockerException):
        return EngineError(first_line(exc))
    if isinstance(exc, psycopg.Error | httpx.HTTPError | OSError):
        return ReplicaError(first_line(exc))
    return None


@contextmanager
def mapped() -> Iterator[None]:
    """Raise a foreign error as drillbook's (`as_drillbooks`), its message the error's first line."""
    try:
        yield
    except Exception as exc:
        ours = as_drillbooks(exc)
        if ours is None:
            raise
        raise ours from exc
