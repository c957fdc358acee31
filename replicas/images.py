"""Images built from this repository, with no image registry.

Each built-in image is a recipe: a Dockerfile folder, extra source folders and,
for Python services, a wheelhouse the host builds (HTTPS to PyPI fails inside
builds here). The build context is hashed; an image whose label carries the
same hash is up to date and is not rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping

import docker.errors
from docker import DockerClient

from drillbook.errors import EngineError, MissingImageError
from drillbook.replicas import builds as team_builds
from drillbook.replicas import labels
from drillbook.replicas.recipes import BASE_IMAGE, RECIPES, Recipe
from drillbook.replicas.target import Build

Progress = Callable[[str], object]


def ensure(
    client: DockerClient,
    tags: Iterable[str],
    progress: Progress = lambda _m: None,
    builds: Mapping[str, Build] | None = None,
) -> None:
    """Make sure every image in `tags` is present: build ours and the team's (`builds`, from its
    Compose file), check the others.

    Nothing is started here; a missing image that drillbook cannot build stops
    the drill before any container exists.
    """
    for tag in tags:
        recipe = RECIPES.get(tag)
        if builds and tag in builds:
            team_builds.ensure(client, tag, builds[tag], progress)
        elif recipe is None:
            _require_present(client, tag)
        else:
            build(client, recipe, progress)


def _require_present(client: DockerClient, tag: str) -> None:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        raise MissingImageError(
            f"The image {tag!r} is not on this machine. drillbook does not pull images during a "
            "drill (there may be no registry here): pull, load or build it first "
            f"(`docker pull {tag}` or `docker build -t {tag} …`), or correct the image name "
            "in the drill's target, then try again."
        ) from None
    except docker.errors.APIError as exc:
        raise EngineError(f"The Docker engine refused to look up {tag!r}: {exc.explanation}") from exc


def build(client: DockerClient, recipe: Recipe, progress: Progress = lambda _m: None) -> str:
    """Build `recipe` unless an image with the same inputs exists; return its tag."""
    _require_base(client)
    parent_id = ""
    if recipe.parent is not None:
        build(client, RECIPES[recipe.parent], progress)
        parent_id = str(client.images.get(recipe.parent).id)
    # The base's id too: a base built again (scripts/base-image.sh) builds every image on it again.
    base_id = str(client.images.get(BASE_IMAGE).id)
    with tempfile.TemporaryDirectory(prefix="drillbook-ctx-") as tmp:
        context = pathlib.Path(tmp)
        _assemble(recipe, context, progress)
        digest = _digest(context, {**recipe.build_args, "parent id": parent_id, "base id": base_id})
        try:
            current = client.images.get(recipe.tag)
            if (current.labels or {}).get(labels.INPUTS) == digest:
                return recipe.tag
        except docker.errors.ImageNotFound:
            pass
        progress(f"building image {recipe.tag} (first time only, a minute or two)")
        try:
            client.images.build(
                path=str(context),
                tag=recipe.tag,
                buildargs={"BASE": BASE_IMAGE, **recipe.build_args},
                labels={labels.INPUTS: digest},
                rm=True,
                forcerm=True,
            )
        except docker.errors.BuildError as exc:
            tail = "\n".join(
                str(chunk.get("stream", chunk.get("error", ""))).rstrip() for chunk in list(exc.build_log)[-15:]
            )
            raise EngineError(
                f"Building the image {recipe.tag} failed: {exc.msg}. The last lines of the build "
                f"were:\n{tail}\nFix the cause (often the network to Debian's packages) and run "
                "`make images` again."
            ) from exc
        progress(f"built image {recipe.tag}")
    return recipe.tag


def _require_base(client: DockerClient) -> None:
    try:
        client.images.get(BASE_IMAGE)
    except docker.errors.ImageNotFound:
        raise MissingImageError(
            f"The base image {BASE_IMAGE} is not on this machine. Run `make images`: it pulls "
            "it where a registry serves it, or builds it with debootstrap from Debian's "
            "packages (needs root), then builds drillbook's images."
        ) from None


def _assemble(recipe: Recipe, context: pathlib.Path, progress: Progress) -> None:
    # No bytecode: pip compiles an installed package's .py files, and the hash must not see it.
    compiled = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(recipe.dockerfile_dir, context, dirs_exist_ok=True, ignore=compiled)
    for name, source in recipe.extra.items():
        shutil.copytree(source, context / name, ignore=compiled)
    if recipe.requirements is not None:
        wheelhouse = context / "wheelhouse"
        wheelhouse.mkdir()
        shutil.copytree(_wheelhouse(recipe.requirements, progress), wheelhouse, dirs_exist_ok=True)


def cache_root() -> pathlib.Path:
    """Where host-built wheels are kept between runs: $DRILLBOOK_CACHE, else the user's cache
    folder (shared by a checkout and an installed drillbook, never inside site-packages)."""
    if os.environ.get("DRILLBOOK_CACHE"):
        return pathlib.Path(os.environ["DRILLBOOK_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(pathlib.Path.home() / ".cache")
    return pathlib.Path(base) / "drillbook"


def _wheelhouse(requirements: pathlib.Path, progress: Progress) -> pathlib.Path:
    """The host-built wheels for `requirements`, cached by the file's content."""
    key = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    cache = cache_root() / "wheelhouse" / key
    if (cache / ".complete").exists():
        return cache
    progress(f"building the wheelhouse for {requirements.parent.name} with pip")
    cache.mkdir(parents=True, exist_ok=True)
    # The image runs Debian 12's CPython 3.11 whatever Python the host has.
    arch = platform.machine()
    target = ["--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--abi", "abi3", "--abi", "none"]
    for tag in ("manylinux_2_28", "manylinux_2_17", "manylinux2014"):
        target += ["--platform", f"{tag}_{arch}"]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            *target,
            "--dest",
            str(cache),
            "-r",
            str(requirements),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise EngineError(
            f"pip could not fetch the wheels in {requirements} for the image build:\n"
            f"{proc.stderr.strip()[-1500:]}\nCheck that this machine reaches PyPI (or a mirror "
            "set in pip's configuration), then run `make images` again."
        )
    (cache / ".complete").touch()
    return cache


def _digest(context: pathlib.Path, build_args: dict[str, str]) -> str:
    h = hashlib.sha256()
    h.update(BASE_IMAGE.encode())
    for key in sorted(build_args):
        h.update(f"{key}={build_args[key]}".encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        rel = path.relative_to(context).as_posix()
        if rel.startswith("wheelhouse/.complete"):
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
        h.update(b"x" if path.stat().st_mode & 0o111 else b"-")
    return h.hexdigest()
