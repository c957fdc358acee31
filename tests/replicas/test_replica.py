"""The replica: real containers, labelled, on 127.0.0.1, torn down completely."""

from __future__ import annotations

import secrets

import httpx
import psycopg
import pytest
from docker import DockerClient

from drillbook.errors import ReplicaError
from drillbook.replicas import labels
from drillbook.replicas.cleanup import remove_drill_objects
from drillbook.replicas.replica import Replica
from drillbook.replicas.target import Target

pytestmark = [pytest.mark.docker, pytest.mark.beside]


def test_every_object_is_labelled_and_ports_are_loopback_only(replica: Replica, docker_client: DockerClient) -> None:
    for service in replica.target.services:
        container = replica.container(service.name)
        assert labels.belongs_to(container.labels, replica.drill_id)
        bindings = container.attrs["HostConfig"]["PortBindings"]
        assert all(b["HostIp"] == "127.0.0.1" for binds in bindings.values() for b in binds)
        assert container.attrs["HostConfig"]["Memory"] > 0
    network = docker_client.networks.get(replica.network_name)
    assert labels.belongs_to(network.attrs["Labels"], replica.drill_id)
    volume = docker_client.volumes.get(replica.volume_name("pgdata"))
    assert labels.belongs_to(volume.attrs["Labels"], replica.drill_id)


def test_postgres_keeps_fsync_on_and_the_service_answers(replica: Replica) -> None:
    with psycopg.connect(replica.db_conninfo()) as conn:
        assert conn.execute("SHOW fsync").fetchone() == ("on",)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
    health = httpx.get(replica.url() + "/api/health").json()
    assert health["status"] == "ok" and health["version"] == "1.0.0"
    drivers = httpx.get(replica.url() + "/api/drivers/active").json()["drivers"]
    assert len(drivers) == 4  # seed data: five drivers, one inactive


def test_health_says_why_when_the_database_is_gone(replica: Replica) -> None:
    replica.stop("db", timeout_s=5)
    response = httpx.get(replica.url() + "/api/health", timeout=5)
    assert response.status_code == 503
    assert "database" in response.json()["reason"]


def test_data_survives_a_crash_and_the_pool_heals(replica: Replica) -> None:
    created = httpx.post(
        replica.url() + "/api/orders", json={"customer": "c", "pickup_address": "1 Elm St", "items": 2}
    ).json()
    replica.kill("db")
    replica.start_service("db")
    replica.wait_ready("db", 60)
    # No reset: the pool checks connections and replaces the dead ones by itself.
    for _ in range(50):
        response = httpx.get(replica.url() + f"/api/orders/{created['id']}", timeout=5)
        if response.status_code == 200:
            break
    assert response.json()["customer"] == "c"


def test_teardown_removes_everything_and_spares_a_decoy(
    docker_client: DockerClient, built_images: None, sample_target: Target
) -> None:
    decoy_volume = docker_client.volumes.create(f"decoy-{secrets.token_hex(3)}")
    decoy_network = docker_client.networks.create(f"decoy-{secrets.token_hex(3)}")
    decoy = docker_client.containers.create("drillbook/postgres:15", name=f"decoy-{secrets.token_hex(3)}")
    try:
        drill_id = f"test-{secrets.token_hex(4)}"
        replica = Replica(docker_client, sample_target, drill_id)
        replica.start()
        replica.teardown()
        replica.teardown()  # idempotent
        assert remove_drill_objects(docker_client, drill_id) == 0
        decoy.reload()
        decoy_network.reload()
        decoy_volume.reload()
        with pytest.raises(ReplicaError):
            replica.container("db")
    finally:
        decoy.remove(force=True, v=True)
        decoy_network.remove()
        decoy_volume.remove(force=True)


def test_feature_flags_switch_at_run_time_through_the_admin_endpoint(replica: Replica) -> None:
    health = httpx.get(replica.url() + "/api/health").json()
    assert health["features"] == {"leaky_cache": False, "payment_fallback": False}
    on = httpx.post(replica.url() + "/api/admin/features/enable", json={"feature": "leaky_cache"})
    assert on.json()["features"]["leaky_cache"] is True
    httpx.get(replica.url() + "/api/drivers/active")
    metrics = httpx.get(replica.url() + "/api/admin/monitoring/metrics").json()
    assert metrics["cache_entries"] >= 1
    off = httpx.post(replica.url() + "/api/admin/features/disable", json={"feature": "leaky_cache"})
    assert off.json()["features"]["leaky_cache"] is False
    assert httpx.post(replica.url() + "/api/admin/cache/clear").json()["cleared_entries"] >= 1
    unknown = httpx.post(replica.url() + "/api/admin/features/disable", json={"feature": "turbo"})
    assert unknown.status_code == 400
