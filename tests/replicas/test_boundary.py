"""The one place foreign errors become drillbook's: each client's kind mapped, the rest untouched."""

from __future__ import annotations

import docker.errors
import httpx
import psycopg
import pytest

from drillbook.errors import EngineError, ReplicaError
from drillbook.replicas import boundary


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (docker.errors.NotFound("No such container: app"), ReplicaError),
        (docker.errors.APIError("500 Server Error"), EngineError),
        (psycopg.OperationalError("connection refused\nis the server running?"), ReplicaError),
        (httpx.ConnectError("All connection attempts failed"), ReplicaError),
        (ConnectionResetError("reset by peer"), ReplicaError),
    ],
)
def test_each_foreign_error_is_raised_as_drillbooks_with_its_first_line(
    raised: Exception, expected: type[Exception]
) -> None:
    with pytest.raises(expected) as caught, boundary.mapped():
        raise raised
    assert type(caught.value) is expected
    assert str(caught.value) == boundary.first_line(raised) and "\n" not in str(caught.value)
    assert caught.value.__cause__ is raised


def test_an_error_of_no_client_passes_through_unchanged() -> None:
    with pytest.raises(KeyError, match="app"), boundary.mapped():
        raise KeyError("app")
