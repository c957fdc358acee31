"""The replica's monitoring: Prometheus, Alertmanager, a Pushgateway and the webhook sink.

Four containers of one image (Debian's packages, `replicas/images/monitoring`),
each labelled as the replica's own, so the replica's teardown removes them with
the rest. They join the networks of the services Prometheus scrapes under
names of their own (`drillbook-prometheus`, ...), and each publishes its port
on 127.0.0.1 only: drillbook pushes its observations and reads the alerts
there; nothing in a container calls the host. The configuration files are put
into the containers before they start, never onto the host's disk.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import docker.errors
import httpx
from docker.models.containers import Container

from drillbook.contract import EventKind
from drillbook.errors import EngineError, ReplicaError
from drillbook.replicas import labels, loopback, priority
from drillbook.replicas.containers import put_files
from drillbook.replicas.monitoring.endpoints import (
    ALERTMANAGER,
    CONFIG_DIR,
    FILES,
    PROMETHEUS,
    PUSHGATEWAY,
    SINK,
    Endpoint,
)
from drillbook.replicas.recipes import MONITORING_IMAGE
from drillbook.replicas.replica import Replica

READY_TIMEOUT_S = 60.0


def commands(evaluation_s: float) -> tuple[tuple[Endpoint, tuple[str, ...]], ...]:
    """In the order they start: what receives before what sends."""
    resend = f"{max(1, round(evaluation_s))}s"
    return (
        (SINK, ("python3", "/usr/local/lib/drillbook/sink.py")),
        (PUSHGATEWAY, ("prometheus-pushgateway", f"--web.listen-address=0.0.0.0:{PUSHGATEWAY.port}")),
        (
            ALERTMANAGER,
            (
                "prometheus-alertmanager",
                f"--config.file={CONFIG_DIR}/alertmanager.yml",
                "--storage.path=/var/lib/drillbook/alertmanager",
                f"--web.listen-address=0.0.0.0:{ALERTMANAGER.port}",
                "--cluster.listen-address=",  # one instance: no gossip port
            ),
        ),
        (
            PROMETHEUS,
            (
                "prometheus",
                f"--config.file={CONFIG_DIR}/prometheus.yml",
                "--storage.tsdb.path=/var/lib/drillbook/prometheus",
                f"--web.listen-address=0.0.0.0:{PROMETHEUS.port}",
                # A firing alert is sent again every evaluation, not every minute: a scaled
                # drill's Alertmanager must not wait a real minute for it.
                f"--rules.alert.resend-delay={resend}",
            ),
        ),
    )


class MonitoringStack:
    """Started once per drill that asks for monitoring; `urls` are its 127.0.0.1 addresses."""

    def __init__(self, replica: Replica, networks: Sequence[str]) -> None:
        self.client = replica.client
        self.drill_id = replica.drill_id
        self._replica = replica
        self.networks = [replica.network_of(n) for n in dict.fromkeys(["default", *networks])]
        self.urls: dict[str, str] = {}

    def start(self, files: Mapping[str, bytes], evaluation_s: float) -> None:
        """Every part with its files, each waited for until it says it is ready."""
        missing = sorted(set(FILES) - set(files))
        if missing:
            raise ValueError(f"monitoring files missing: {', '.join(missing)}")
        for part, command in commands(evaluation_s):
            port = self._replica.held.take()
            try:
                container = self._create(part, command, port)
                if part in (PROMETHEUS, ALERTMANAGER):
                    put_files(container, CONFIG_DIR, files)
                container.start()
            except docker.errors.APIError as exc:
                raise EngineError(
                    f"The Docker engine refused to start the replica's {part.name}: {exc.explanation or exc}."
                ) from exc
            self.urls[part.name] = f"http://127.0.0.1:{port}"
            self._wait_ready(part, container)
        self._replica.record(
            EventKind.CONTAINER,
            "monitoring ready: " + ", ".join(f"{name} on {url}" for name, url in self.urls.items()),
        )

    def _create(self, part: Endpoint, command: tuple[str, ...], port: int) -> Container:
        first, *others = self.networks
        container = self.client.containers.create(
            MONITORING_IMAGE,
            command=list(command),
            name=self._replica.container_name(part.name),
            labels=labels.for_drill(self.drill_id, part.name),
            network=first,
            networking_config={first: self.client.api.create_endpoint_config(aliases=[part.host])},
            ports={f"{part.port}/tcp": ("127.0.0.1", port)},
            mem_limit="512m",
            cpu_shares=priority.cpu_shares(),
        )
        for network in others:
            self.client.networks.get(network).connect(container, aliases=[part.host])
        return container

    def _wait_ready(self, part: Endpoint, container: Container) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        url = self.urls[part.name] + "/-/ready"
        while time.monotonic() < deadline:
            try:
                if loopback.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            container.reload()
            if container.status in ("exited", "dead"):
                break
            time.sleep(0.2)
        logs = container.logs(tail=15).decode(errors="replace").strip()
        raise ReplicaError(
            f"The replica's {part.name} did not become ready within {READY_TIMEOUT_S:g} s "
            f"(container {container.status}). Its last lines:\n{logs}\nA configuration it refuses is "
            "usually the team's Alertmanager file: check it with `amtool check-config`."
        )
