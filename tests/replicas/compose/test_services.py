"""Compose services as the replica's services: honoured, refused with their line, ignored once."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import SpecError
from drillbook.replicas.compose.project import load
from drillbook.replicas.compose.services import read
from drillbook.replicas.target import Bind, HealthCheck

FULL = """\
services:
  api:
    build: {context: ./api, args: {RELEASE: '1.0.0'}}
    image: tickets-api:1.0.0
    command: python -m tickets --port 9000
    ports: ["127.0.0.1:19000:9000", "9001"]
    environment: {DATABASE_URL: "postgresql://tickets@pg/tickets"}
    env_file: [api.env]
    healthcheck:
      test: ["CMD", "python", "-c", "print(1)"]
      interval: 2s
      timeout: 1500ms
      retries: 5
      start_period: 1m30s
    depends_on: {pg: {condition: service_healthy}}
    deploy: {resources: {limits: {memory: 256M, cpus: '0.5'}}}
    restart: on-failure:3
    networks: {backend: {aliases: [tickets]}}
    labels: [team=tickets]
    container_name: fixed-name
  pg:
    image: drillbook/postgres:15
    volumes: ["pgdata:/var/lib/postgresql/data", "./init/schema.sql:/docker-entrypoint-initdb.d/schema.sql:ro"]
    environment: [POSTGRES_PASSWORD=pw]
volumes: {pgdata: {}}
networks: {backend: {}}
"""


def project(tmp_path: pathlib.Path, text: str = FULL) -> pathlib.Path:
    (tmp_path / "api").mkdir(exist_ok=True)
    (tmp_path / "api" / "Dockerfile").write_text("FROM drillbook/returns-service:1.0.0\n")
    (tmp_path / "init").mkdir(exist_ok=True)
    (tmp_path / "init" / "schema.sql").write_text("CREATE TABLE t (id int);\n")
    (tmp_path / "api.env").write_text("LOG_LEVEL=debug\n")
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    return path


def test_every_honoured_key_reaches_the_service(tmp_path: pathlib.Path) -> None:
    services, reading = read(load(project(tmp_path)))
    api, pg = services["api"], services["pg"]
    assert api.image == "tickets-api:1.0.0" and api.port == 9000  # the container's port, never the file's host port
    assert api.command == ("python", "-m", "tickets", "--port", "9000")
    assert api.env == {"LOG_LEVEL": "debug", "DATABASE_URL": "postgresql://tickets@pg/tickets"}
    assert api.healthcheck == HealthCheck(("CMD", "python", "-c", "print(1)"), 2.0, 1.5, 5, 90.0)
    assert api.ready.kind == "healthcheck" and api.depends_on == {"pg": "service_healthy"}
    assert api.mem_limit == "256m" and api.cpus == 0.5 and api.restart == "on-failure"
    assert api.aliases == ("tickets",) and api.labels == {"team": "tickets"}
    assert reading.builds["tickets-api:1.0.0"].args == {"RELEASE": "1.0.0"}
    assert pg.volumes == {"pgdata": "/var/lib/postgresql/data"} and pg.port == 0
    assert pg.binds == (Bind(str(tmp_path / "init" / "schema.sql"), "/docker-entrypoint-initdb.d/schema.sql", True),)
    assert "container_name" in reading.ignored


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ("    network_mode: host\n", r"compose.yaml:\d+: service 'pg': `network_mode` cannot be honoured"),
        ("    privileged: true\n", "`privileged` cannot be honoured"),
        ("    devices: ['/dev/sda:/dev/sda']\n", "`devices` cannot be honoured"),
        ("    volumes_from: [api]\n", "`volumes_from` cannot be honoured"),
        ("    frobnicate: 1\n", "`frobnicate` is not a Compose service key drillbook knows"),
    ],
)
def test_what_a_replica_cannot_honour_is_refused_with_its_line(
    tmp_path: pathlib.Path, change: str, refusal: str
) -> None:
    changed = FULL.replace(
        "    environment: [POSTGRES_PASSWORD=pw]\n", "    environment: [POSTGRES_PASSWORD=pw]\n" + change
    )
    with pytest.raises(SpecError, match=refusal):
        read(load(project(tmp_path, changed)))


def test_a_bind_mount_outside_the_project_or_an_external_volume_is_refused(tmp_path: pathlib.Path) -> None:
    outside = FULL.replace("./init/schema.sql:", "/etc/passwd:")
    with pytest.raises(SpecError, match="is outside the project"):
        read(load(project(tmp_path, outside)))
    external = FULL.replace("volumes: {pgdata: {}}", "volumes: {pgdata: {external: true}}")
    with pytest.raises(SpecError, match="volume 'pgdata' is external"):
        read(load(project(tmp_path, external)))


def test_a_port_range_and_a_bad_duration_are_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match="a port range"):
        read(
            load(
                project(
                    tmp_path, FULL.replace('"9001"', '"9001-9003:9001-9003"').replace('"127.0.0.1:19000:9000", ', "")
                )
            )
        )
    with pytest.raises(SpecError, match="'2 seconds' is not a duration"):
        read(load(project(tmp_path, FULL.replace("interval: 2s", "interval: 2 seconds"))))


def test_each_service_joins_its_declared_networks_or_the_default(tmp_path: pathlib.Path) -> None:
    services, _reading = read(load(project(tmp_path)))
    assert services["api"].networks == ("backend",) and services["pg"].networks == ("default",)
    undeclared = FULL.replace("networks: {backend: {}}", "")
    with pytest.raises(SpecError, match="network 'backend' is not declared under `networks:`"):
        read(load(project(tmp_path, undeclared)))
