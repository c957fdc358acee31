"""A Compose service as the replica's `Service`: what a throwaway replica honours, refuses, ignores.

Ports: only the container's port is taken; drillbook publishes it on 127.0.0.1
at a free port, never the file's host port. Named volumes become the drill's
own; bind mounts must be files of the project. A key that would reach beyond
the replica (host networking, privileges, devices, external networks or
volumes) is refused, naming its line and what to do; one that changes nothing
a drill measures is listed once as ignored.
"""

from __future__ import annotations

import pathlib
import re
import shlex
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from drillbook.errors import SpecError
from drillbook.replicas.compose.interpolate import dotenv
from drillbook.replicas.compose.project import Definition, Project, as_mapping
from drillbook.replicas.target import Bind, Build, HealthCheck, ReadyCheck, ReadyKind, Service

REFUSED = {
    "network_mode": "the replica runs on a network of its own; remove network_mode for the drill",
    "privileged": "a drill never runs a privileged container; drop privileged for the drill",
    "devices": "a replica has no devices of this host; remove devices for the drill",
    "pid": "the replica shares no process namespace with this host; remove pid",
    "ipc": "the replica shares no IPC namespace with this host; remove ipc",
    "userns_mode": "the replica uses the engine's default user namespace; remove userns_mode",
    "cap_add": "a drill adds no capabilities to a container; remove cap_add for the drill",
    "volumes_from": "name the volumes themselves instead of volumes_from",
    "secrets": "secrets files are not mounted into a replica; give the value through environment",
    "configs": "configs are not mounted into a replica; bind-mount the file from the project instead",
    "sysctls": "a drill changes no kernel settings; remove sysctls",
    "runtime": "the replica uses the engine's default runtime; remove runtime",
    "external_links": "a replica reaches nothing outside itself; remove external_links",
}
IGNORED = {
    "container_name": "drillbook names every container after the drill",
    "hostname": "the service is reached by its name on the replica's network",
    "logging": "drillbook reads the engine's logs",
    "stop_grace_period": "drillbook stops containers itself",
    "stop_signal": "drillbook stops containers itself",
    "init": "no effect on what a drill measures",
    "tty": "no effect on what a drill measures",
    "stdin_open": "no effect on what a drill measures",
    "expose": "every service is reachable on the replica's network",
    "platform": "images are this machine's",
    "pull_policy": "drillbook never pulls",
    "links": "every service is reachable by name on the replica's network",
    "ulimits": "the engine's defaults apply",
    "shm_size": "the engine's default applies",
    "dns": "the replica's network resolves its services",
    "extra_hosts": "a replica reaches nothing outside itself",
    "extends": "merged already",
}
HONOURED = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "volumes", "healthcheck",
    "depends_on", "mem_limit", "cpus", "deploy", "restart", "networks", "labels", "user", "working_dir",
    "profiles",  # honoured by the project's reading: it chose the services
}  # fmt: skip
DURATION = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
Restart = Literal["no", "on-failure", "always", "unless-stopped"]


@dataclass
class Reading:
    """What reading the project found beside the services: the builds, what was ignored."""

    builds: dict[str, Build] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    """`key (service)` -> why it changes nothing here, said once."""


def service(project: Project, d: Definition, reading: Reading) -> Service:
    for key in d.fields:
        if key in REFUSED:
            raise SpecError(
                f"{d.where(key)}service {d.name!r}: `{key}` cannot be honoured on a replica: {REFUSED[key]}."
            )
        if key in IGNORED:
            reading.ignored.setdefault(key, IGNORED[key])
        elif key not in HONOURED and not key.startswith("x-"):
            raise SpecError(f"{d.where(key)}service {d.name!r}: `{key}` is not a Compose service key drillbook knows.")
    f = d.fields
    own = _drillbook(d)
    image = _image(project, d, reading)
    limits = ((f.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    volumes, binds = _volumes(project, d)
    return Service(
        name=d.name,
        image=image,
        port=_port(d),
        ready=own.ready or (ReadyCheck("healthcheck") if _healthcheck(d) else ReadyCheck("running")),
        env={**_env_files(d), **as_mapping(f.get("environment"))},
        mem_limit=_memory(f.get("mem_limit") or limits.get("memory")),
        cpus=_cpus(f.get("cpus") or limits.get("cpus")),
        restart=_restart(d),
        volumes=volumes,
        command=_argv(f.get("command")),
        entrypoint=_argv(f.get("entrypoint")),
        binds=binds,
        healthcheck=_healthcheck(d),
        depends_on=_depends_on(d),
        labels=as_mapping(f.get("labels")),
        aliases=_aliases(project, d),
        networks=_networks(project, d),
        user=str(f["user"]) if f.get("user") is not None else None,
        working_dir=str(f["working_dir"]) if f.get("working_dir") else None,
        flags=own.flags,
    )


@dataclass(frozen=True)
class Extension:
    """What a service's `x-drillbook:` tells drillbook that Compose has no key for."""

    ready: ReadyCheck | None = None
    """How to know it answers (`{kind: http, path: /health}`), where it has no health check."""
    flags: dict[str, bool] = field(default_factory=dict)
    """The feature flags it knows, with their defaults (the desired state switches them)."""


def _drillbook(d: Definition) -> Extension:
    given = d.fields.get("x-drillbook") or {}
    if not isinstance(given, dict) or set(given) - {"ready", "flags"}:
        raise SpecError(f"{d.where('x-drillbook')}service {d.name!r}: x-drillbook takes `ready` and `flags`.")
    ready = given.get("ready")
    kinds = typing.get_args(ReadyKind)
    if ready is not None and (not isinstance(ready, dict) or ready.get("kind") not in kinds):
        raise SpecError(f"{d.where('x-drillbook')}service {d.name!r}: x-drillbook.ready.kind is one of {kinds}.")
    flags = given.get("flags") or {}
    if not isinstance(flags, dict) or not all(isinstance(v, bool) for v in flags.values()):
        raise SpecError(f"{d.where('x-drillbook')}service {d.name!r}: x-drillbook.flags maps names to true/false.")
    return Extension(
        ReadyCheck(ready["kind"], str(ready.get("path", "/"))) if ready else None, {str(k): v for k, v in flags.items()}
    )


def _image(project: Project, d: Definition, reading: Reading) -> str:
    build = d.fields.get("build")
    image = d.fields.get("image")
    if build is None:
        if not image:
            raise SpecError(f"{d.where()}service {d.name!r} has neither `image` nor `build`.")
        return str(image)
    spec = {"context": build} if isinstance(build, str) else dict(build)
    context = (d.file.parent / str(spec.get("context", "."))).resolve()
    if not context.is_dir():
        raise SpecError(f"{d.where('build')}service {d.name!r}: the build context {context} is not a folder.")
    tag = str(image) if image else f"{project.folder.name.lower()}-{d.name}:drill"
    reading.builds[tag] = Build(
        context=context,
        dockerfile=str(spec.get("dockerfile", "Dockerfile")),
        args=as_mapping(spec.get("args")),
        target=str(spec["target"]) if spec.get("target") else None,
    )
    return tag


def _port(d: Definition) -> int:
    """The container port of the first published port: the one the drill reaches (0: none)."""
    for entry in d.fields.get("ports") or []:
        if isinstance(entry, dict):
            return int(entry["target"])
        text = str(entry).split("/")[0]
        container = text.rsplit(":", 1)[-1]
        if "-" in container:
            raise SpecError(
                f"{d.where('ports')}service {d.name!r}: a port range ({entry}) cannot be a drill's address."
            )
        return int(container)
    return 0


def _env_files(d: Definition) -> dict[str, str]:
    files = d.fields.get("env_file") or []
    values: dict[str, str] = {}
    for entry in [files] if isinstance(files, str) else files:
        path, required = (entry, True) if isinstance(entry, str) else (entry.get("path"), entry.get("required", True))
        file = (d.file.parent / str(path)).resolve()
        if not file.is_file():
            if required:
                raise SpecError(f"{d.where('env_file')}service {d.name!r}: env_file {path} does not exist.")
            continue
        values |= dotenv(file)
    return values


def _volumes(project: Project, d: Definition) -> tuple[dict[str, str], tuple[Bind, ...]]:
    named: dict[str, str] = {}
    binds: list[Bind] = []
    for i, entry in enumerate(d.fields.get("volumes") or []):
        if isinstance(entry, dict):
            kind, source, target = entry.get("type", "volume"), entry.get("source"), str(entry["target"])
            read_only = bool(entry.get("read_only"))
        else:
            parts = str(entry).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
            read_only = len(parts) > 2 and "ro" in parts[2].split(",")
            kind = "bind" if source and (source.startswith((".", "/", "~"))) else "volume"
        if kind == "tmpfs":
            continue
        if kind == "bind":
            binds.append(_bind(project, d, str(source), target, read_only))
            continue
        name = str(source) if source else f"{d.name}-{i}"
        declared = project.volumes.get(name) or {}
        if declared.get("external"):
            raise SpecError(
                f"{d.where('volumes')}service {d.name!r}: volume {name!r} is external; a replica's volumes are its "
                "own. Drop `external` for the drill (the replica starts it empty)."
            )
        named[name] = target
    return named, tuple(binds)


def _bind(project: Project, d: Definition, source: str, target: str, read_only: bool) -> Bind:
    path = (d.file.parent / pathlib.Path(source).expanduser()).resolve()
    if not path.is_relative_to(project.folder.resolve()):
        raise SpecError(
            f"{d.where('volumes')}service {d.name!r}: the bind mount {source} is outside the project "
            f"({project.folder}); a replica mounts only the project's own files. Copy it into the project."
        )
    if not path.exists():
        raise SpecError(f"{d.where('volumes')}service {d.name!r}: the bind mount {source} does not exist.")
    return Bind(str(path), target, read_only)


def _healthcheck(d: Definition) -> HealthCheck | None:
    check = d.fields.get("healthcheck")
    if not check or check.get("disable"):
        return None
    test = check.get("test")
    if isinstance(test, str):
        argv: tuple[str, ...] = ("CMD-SHELL", test)
    elif isinstance(test, list) and test and test[0] in ("CMD", "CMD-SHELL"):
        argv = tuple(str(t) for t in test)
    elif isinstance(test, list) and test and test[0] == "NONE":
        return None
    else:
        raise SpecError(
            f"{d.where('healthcheck')}service {d.name!r}: healthcheck.test must start with CMD or CMD-SHELL."
        )
    return HealthCheck(
        test=argv,
        interval_s=_seconds(d, check.get("interval"), 30.0),
        timeout_s=_seconds(d, check.get("timeout"), 30.0),
        retries=int(check.get("retries", 3)),
        start_period_s=_seconds(d, check.get("start_period"), 0.0),
    )


def _seconds(d: Definition, value: Any, default: float) -> float:
    if value is None:
        return default
    text = str(value)
    parts = DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise SpecError(f"{d.where('healthcheck')}service {d.name!r}: {text!r} is not a duration (`10s`, `1m30s`).")
    return sum(float(n) * UNITS[u] for n, u in parts)


def _depends_on(d: Definition) -> dict[str, str]:
    given = d.fields.get("depends_on") or {}
    if isinstance(given, list):
        return {str(name): "service_started" for name in given}
    return {str(name): str((spec or {}).get("condition", "service_started")) for name, spec in given.items()}


def _aliases(project: Project, d: Definition) -> tuple[str, ...]:
    networks = d.fields.get("networks") or {}
    found: list[str] = []
    for name in networks:
        declared = project.networks.get(str(name)) or {}
        if declared.get("external"):
            raise SpecError(
                f"{d.where('networks')}service {d.name!r}: network {name!r} is external; a replica has a network "
                "of its own. Drop `external` for the drill."
            )
        if isinstance(networks, dict):
            found += [str(a) for a in (networks[name] or {}).get("aliases") or []]
    return tuple(dict.fromkeys(found))


def _networks(project: Project, d: Definition) -> tuple[str, ...]:
    """The networks the service joins; without `networks:`, the project's default one."""
    names = [str(n) for n in (d.fields.get("networks") or [])]
    for name in names:
        if name != "default" and name not in project.networks:
            raise SpecError(
                f"{d.where('networks')}service {d.name!r}: network {name!r} is not declared under `networks:`."
            )
    return tuple(names) or ("default",)


def _restart(d: Definition) -> Restart:
    value = str(d.fields.get("restart") or "no").split(":")[0]
    if value not in ("no", "on-failure", "always", "unless-stopped"):
        raise SpecError(f"{d.where('restart')}service {d.name!r}: restart {value!r} is not a Compose restart policy.")
    return value  # type: ignore[return-value]


def _cpus(value: Any) -> float | None:
    return float(value) if value else None


def _memory(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).lower().removesuffix("b") if not isinstance(value, int) else str(value)


def _argv(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(shlex.split(value)) if isinstance(value, str) else tuple(str(v) for v in value)


def read(project: Project) -> tuple[dict[str, Service], Reading]:
    reading = Reading()
    return {name: service(project, d, reading) for name, d in project.services.items()}, reading


__all__ = ["Reading", "read", "service"]
