"""`drillbook plan` checks a drill's backups on a replica with no fault in it."""

from __future__ import annotations

import pathlib

import pytest
from docker import DockerClient

from drillbook.drills import preconditions, spec
from drillbook.drills.cli import main
from drillbook.errors import ExitCode
from tests.conftest import CATALOG


def test_wal_segment_names_are_ordered_across_log_ids() -> None:
    assert preconditions._ordinal("000000010000000000000FFF") == 4095
    assert preconditions._ordinal("000000010000000100000000") == 4096
    assert preconditions._ordinal("backup_label") is None


def test_offline_starts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(CATALOG / "host-lost.yaml"), "--offline"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Nothing was started" in out and "restore_dump" in out and "pitr" in out


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_dump_archive_and_standby_are_checked_without_a_fault(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], docker_client: DockerClient
) -> None:
    everything = {"dump": {"interval_s": 5}, "wal_archive": True, "standby": {"mode": "sync"}}
    path = spec.write_variant(CATALOG / "host-lost.yaml", tmp_path, "all-backups", backups=everything)
    volumes_before = anonymous_left(docker_client)
    code = main(["plan", str(path), "--wait", "60"])
    out = capsys.readouterr().out
    assert code == ExitCode.OK, out
    for name in ("a dump exists", "the dump restores", "WAL archive continuous", "standby streaming", "data check"):
        assert name in out
    assert "writes acknowledged under load found as sent" in out
    assert "sync_state sync" in out and "none missing" in out and "0 errors; rows: drivers 5" in out
    assert "no fault was injected" in out
    # Not even an anonymous volume of the scratch restore's container is left (they carry no labels).
    assert anonymous_left(docker_client) <= volumes_before


def anonymous_left(client: DockerClient) -> set[str]:
    """Volumes without labels that no container uses: what a container removed without its
    volumes leaves. A drill running beside this test has its volumes in use, or labelled."""
    return {str(v.name) for v in client.volumes.list(filters={"dangling": True}) if not v.attrs.get("Labels")}
