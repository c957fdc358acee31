"""The toolbox container and the TLS front, on a network of their own with no way out.

The network is internal and its bridge has no IPv4 address: no route leaves
it, not even to the host (a plain internal network still reaches the host on
its gateway address). Every service of the replica joins it under its own
name; the runbook's production host names are aliases of the TLS front (for
services with a port, over HTTPS with the drill's certificate authority) or of
the service itself (a database). The desired-state repository's bare origin is
mounted, and the working folder is a clone of it.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping

import docker.errors
from docker.models.containers import Container

from drillbook.contract import EventKind
from drillbook.errors import EngineError, ReplicaError
from drillbook.replicas import labels, priority
from drillbook.replicas.containers import put_files
from drillbook.replicas.protocols import Ran
from drillbook.replicas.recipes import TOOLBOX_IMAGE
from drillbook.replicas.replica import Replica
from drillbook.replicas.toolbox import ca, shell
from drillbook.replicas.toolbox.network import CONTAINER, NETWORK, fronted

ORIGIN = "/srv/desired-state.git"
WORKDIR = "/work"
CA_FILE = "/usr/local/share/ca-certificates/drillbook-drill.crt"


class Toolbox:
    """The toolbox and its front, named and labelled as the replica's own containers are."""

    def __init__(self, replica: Replica, origin: pathlib.Path) -> None:
        self.client = replica.client
        self.drill_id = replica.drill_id
        self.target = replica.target
        self.hosts = dict(replica.target.hosts)
        self.origin = origin
        self._on_event = replica.record
        self.name = replica.container_name(CONTAINER)
        self.front = replica.container_name("tlsfront")
        self.network = replica.network_of(NETWORK)

    def start(self, env: Mapping[str, str]) -> None:
        """The front, then the toolbox with a clone of the origin as its working folder."""
        try:
            routed = {n: self.target.service(s) for n, s in self.hosts.items() if fronted(self.target.service(s))}
            trusted = b""
            if routed:
                issued = ca.issue(self.drill_id, sorted(routed))
                trusted = issued.authority_pem
                routes = ",".join(f"{n}={s.host}:{s.port}" for n, s in sorted(routed.items()))
                front = self._create(
                    self.front,
                    ["python3", "/usr/local/lib/drillbook/tlsfront.py"],
                    {"ROUTES": routes},
                    aliases=sorted(routed),
                )
                put_files(
                    front, "/run/tlsfront", {"cert.pem": issued.certificate_pem, "key.pem": issued.key_pem}, {"key.pem"}
                )
                front.start()
            box = self._create(
                self.name,
                ["sleep", "infinity"],
                {**env, "GIT_AUTHOR_NAME": "on-call", "GIT_COMMITTER_NAME": "on-call"},
                binds={str(self.origin): {"bind": ORIGIN, "mode": "rw"}},
            )
            if trusted:
                put_files(box, str(pathlib.PurePosixPath(CA_FILE).parent), {pathlib.Path(CA_FILE).name: trusted})
            box.start()
        except docker.errors.APIError as exc:
            raise EngineError(f"The Docker engine refused to start the toolbox: {exc.explanation or exc}.") from exc
        prepare = " && ".join(
            (
                f"cat {CA_FILE} >> /etc/ssl/certs/ca-certificates.crt" if trusted else "true",  # update-ca-certificates
                "git config --global user.email on-call@drill.invalid",
                "git config --global --add safe.directory '*'",
                f"git clone -q {ORIGIN} {WORKDIR}",
            )
        )
        code, output = self._exec(["sh", "-c", prepare])
        if code != 0:
            raise ReplicaError(f"The toolbox could not be prepared: {output.strip()[-300:]}")
        names = ", ".join(f"{n} -> {s}" for n, s in sorted(self.hosts.items())) or "none"
        self._on_event(EventKind.CONTAINER, f"toolbox ready on the replica's internal network (hosts: {names})")

    def run(self, text: str, env: Mapping[str, str], timeout_s: float) -> Ran:
        try:
            return shell.run(self.client.api, self.name, text, env, timeout_s)
        except (docker.errors.APIError, OSError) as exc:
            raise ReplicaError(f"The toolbox did not run the command: {exc}") from exc

    def sync_clone(self) -> None:
        """The working folder brought to origin's main, as an engineer's checkout is kept."""
        for command in (
            ["git", "-C", WORKDIR, "fetch", "-q", "origin"],
            ["git", "-C", WORKDIR, "checkout", "-q", "-B", "main", "origin/main"],
        ):
            code, output = self._exec(command)
            if code != 0:
                raise ReplicaError(f"The toolbox's clone could not follow origin: {output.strip()[-300:]}")

    def client_version(self) -> str:
        code, output = self._exec(["psql", "--version"])
        return output.strip() if code == 0 else "unknown"

    def _exec(self, command: list[str]) -> tuple[int, str]:
        try:
            result = self.client.containers.get(self.name).exec_run(command)
        except docker.errors.APIError as exc:
            raise ReplicaError(f"The toolbox did not answer: {exc.explanation or exc}") from exc
        output = result.output if isinstance(result.output, bytes) else b""
        return int(result.exit_code or 0), output.decode(errors="replace")

    def _create(
        self,
        name: str,
        command: list[str],
        env: Mapping[str, str],
        *,
        aliases: list[str] | None = None,
        binds: dict[str, dict[str, str]] | None = None,
    ) -> Container:
        return self.client.containers.create(
            TOOLBOX_IMAGE,
            command=command,
            name=name,
            environment=dict(env),
            labels=labels.for_drill(self.drill_id, name.rsplit("-", 1)[-1]),
            network=self.network,
            networking_config={self.network: self.client.api.create_endpoint_config(aliases=aliases or [])},
            volumes=binds or {},
            dns_opt=["timeout:1", "attempts:1"],
            working_dir=WORKDIR,
            mem_limit="256m",
            cpu_shares=priority.cpu_shares(),
        )
