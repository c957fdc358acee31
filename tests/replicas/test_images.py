"""The built images themselves: what a local cluster's nodes each load a copy of."""

from __future__ import annotations

from typing import Any

import pytest
from docker import DockerClient

from drillbook.replicas import labels, recipes

pytestmark = [pytest.mark.docker, pytest.mark.beside]


def run(client: DockerClient, tag: str, command: list[str], **options: Any) -> str:
    """The command's output in a throwaway container of `tag`, removed with its anonymous volumes
    (the SDK's `remove=True` leaves those of a `VOLUME` the image declares, as PostgreSQL's does)."""
    container = client.containers.run(
        tag,
        command,
        entrypoint=[],
        detach=True,
        network_mode="none",
        labels=labels.for_drill("tests-image-check"),
        **options,
    )
    try:
        status = container.wait(timeout=60)["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode()
        assert status == 0, f"{tag}: exit {status}: {container.logs(stdout=False, stderr=True).decode()}"
        return out
    finally:
        container.remove(v=True, force=True)


@pytest.mark.usefixtures("built_images")
def test_no_image_keeps_what_apt_downloaded(docker_client: DockerClient) -> None:
    """apt deletes its packages once installed (the base's docker-clean): base recipe 2 forgot,
    and every image kept its .deb files, 149 MB of PostgreSQL's 370."""
    kept = {}
    for tag in sorted(recipes.RECIPES):
        found = run(
            docker_client,
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
            user="0",  # some run as a user of their own, who may not read apt's folders
        )
        if found.strip():
            kept[tag] = found.split()[:3]
    assert kept == {}


@pytest.mark.usefixtures("built_images")
def test_the_backup_service_outlives_its_database(docker_client: DockerClient) -> None:
    """The data-loss drill restores from the backup service after the database's host is gone:
    a dump that finds no database is skipped, with psql's whole answer, and the service goes on
    (a psql failing at once once ended it, and the restore found no container to run in)."""
    script = """
    docker-entrypoint.sh postgres >/tmp/pg.log 2>&1 &
    export PGUSER=postgres PGPASSWORD=pw PGHOST=127.0.0.1 DUMP_INTERVAL_S=1
    drillbook-backup >/tmp/backup.log 2>&1 &
    backup=$!
    for _ in $(seq 100); do [ -n "$(ls /backups/dumps 2>/dev/null)" ] && break; sleep 0.1; done
    su postgres -c 'pg_ctl -D "$PGDATA" stop -m immediate' >/dev/null
    sleep 3.5
    cat /tmp/backup.log
    kill -0 "$backup" && echo "backup service running"
    """
    out = run(docker_client, "drillbook/postgres:15", ["bash", "-c", script], environment={"POSTGRES_PASSWORD": "pw"})
    lines = out.splitlines()
    assert any(line.startswith("dump ") and line.endswith(".dump") for line in lines), out
    skipped = [line for line in lines if line.startswith("dump skipped: no snapshot (psql: error: ")]
    assert len(skipped) >= 2 and "Connection refused" in skipped[-1], out
    assert lines[-1] == "backup service running", out
