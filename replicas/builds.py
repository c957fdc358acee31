"""The team's own images, built from its Compose file's `build:` with drillbook's rules.

No registry: nothing is pulled, so every base image a Dockerfile starts `FROM`
must already be on this machine, and is checked before the build starts. The
build's inputs (context, Dockerfile, arguments, target) are hashed into a label,
so an image built from the same inputs is not built again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping

import docker.errors
from docker import DockerClient

from drillbook.errors import EngineError, MissingImageError
from drillbook.replicas import labels
from drillbook.replicas.target import Build

FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE | re.MULTILINE)


def ensure(client: DockerClient, tag: str, build: Build, say: Callable[[str], object] = lambda _m: None) -> None:
    dockerfile = build.context / build.dockerfile
    if not dockerfile.is_file():
        raise MissingImageError(f"The image {tag!r} is built from {dockerfile}, which does not exist.")
    digest = _digest(build)
    try:
        if (client.images.get(tag).labels or {}).get(labels.INPUTS) == digest:
            return
    except docker.errors.ImageNotFound:
        pass
    for base in bases(dockerfile.read_text(), build.args):
        _require(client, tag, base)
    say(f"building image {tag} from {build.context}")
    try:
        client.images.build(
            path=str(build.context),
            dockerfile=build.dockerfile,
            tag=tag,
            buildargs=dict(build.args),
            target=build.target,
            labels={labels.INPUTS: digest},
            pull=False,
            rm=True,
            forcerm=True,
        )
    except docker.errors.BuildError as exc:
        tail = "\n".join(str(c.get("stream", c.get("error", ""))).rstrip() for c in list(exc.build_log)[-15:])
        raise EngineError(
            f"Building the image {tag} from {build.context} failed: {exc.msg}. The last lines of the build "
            f"were:\n{tail}\nFix the Dockerfile (the machine has no registry: nothing can be fetched during "
            "the build) and run the drill again."
        ) from exc
    say(f"built image {tag}")


def bases(text: str, given: Mapping[str, str]) -> list[str]:
    """The images a Dockerfile starts FROM, without its own stages and `scratch`."""
    defaults = dict(re.findall(r"^\s*ARG\s+(\w+)=(\S+)", text, re.IGNORECASE | re.MULTILINE))
    values = {**defaults, **given}
    stages: set[str] = set()
    found = []
    for image, alias in FROM.findall(text):
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m.group(1), m.group(0)), image)
        if image.lower() != "scratch" and image not in stages:
            found.append(image)
        if alias:
            stages.add(alias)
    return list(dict.fromkeys(found))


def _require(client: DockerClient, tag: str, base: str) -> None:
    try:
        client.images.get(base)
    except docker.errors.ImageNotFound:
        raise MissingImageError(
            f"The image {tag!r} is built FROM {base!r}, which is not on this machine, and drillbook never pulls "
            f"(there may be no registry here). Load it (`docker load -i {base.split(':')[0].split('/')[-1]}.tar`) "
            "or build it first, then run the drill again."
        ) from None


def _digest(build: Build) -> str:
    h = hashlib.sha256()
    h.update(f"{build.dockerfile}|{build.target}|{sorted(build.args.items())}".encode())
    for path in sorted(p for p in build.context.rglob("*") if p.is_file() and ".git" not in p.parts):
        h.update(path.relative_to(build.context).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
