"""Size-limited volumes: an ext4 filesystem in a file, on a loop device, as a Docker volume.

A disk-full drill needs a volume that fills up long before the host's disk and
keeps its data across a restart of its container (tmpfs would lose it). Docker's
`local` driver mounts a block device when a container starts and unmounts it
when the container stops; the device is a loop device over a sparse file in
drillbook's own folder, named after the volume, so `drillbook cleanup` can find
what a killed harness left: the file's name carries the drill's id.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import subprocess

from drillbook.errors import ReplicaError

DEFAULT_FOLDER = "/var/lib/drillbook/disks"


def folder() -> pathlib.Path:
    """Where the disk images live ($DRILLBOOK_DISKS, read when used)."""
    return pathlib.Path(os.environ.get("DRILLBOOK_DISKS", DEFAULT_FOLDER))


SIZE = re.compile(r"^(\d+)([kmg])$")
UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}
MIN_BYTES = 64 * 1024**2
MAX_BYTES = 64 * 1024**3


def parse_size(size: str) -> int:
    """Bytes in a size like `128m` (k, m, g); ValueError with the reason otherwise."""
    match = SIZE.match(size.strip().lower())
    if not match:
        raise ValueError(f"a size is a number and k, m or g (like 128m), not {size!r}")
    value = int(match.group(1)) * UNITS[match.group(2)]
    if not MIN_BYTES <= value <= MAX_BYTES:
        raise ValueError(f"a volume's size must be between 64m and 64g (PostgreSQL alone needs ~50m), not {size}")
    return value


def _run(*args: str) -> str:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=60)
    except FileNotFoundError as exc:
        raise ReplicaError(
            f"A size-limited volume needs `{args[0]}` (util-linux, e2fsprogs), which this machine lacks. "
            "Install them, or leave `volume_sizes` out of the drill."
        ) from exc
    if proc.returncode != 0:
        raise ReplicaError(
            f"A size-limited volume could not be made: `{' '.join(args)}` said {proc.stderr.strip()[-300:]!r}. "
            "It needs root (loop devices) on this machine; run the drill as root, or leave `volume_sizes` out."
        )
    return proc.stdout.strip()


def image_path(volume: str) -> pathlib.Path:
    return folder() / f"{volume}.img"


def create(volume: str, size_bytes: int) -> str:
    """A fresh, empty ext4 filesystem of `size_bytes` on a loop device; its device path.

    No blocks are reserved for root and `lost+found` is removed: PostgreSQL's initdb
    wants its data folder empty, and a full disk should be full for everyone.
    """
    folder().mkdir(parents=True, exist_ok=True)
    path = image_path(volume)
    with path.open("wb") as image:
        image.truncate(size_bytes)
    try:
        _run("mkfs.ext4", "-q", "-F", "-m", "0", "-L", volume[-16:], str(path))
        _run("debugfs", "-w", "-R", "rmdir lost+found", str(path))
        return _run("losetup", "--find", "--show", str(path))
    except ReplicaError:
        release_file(path)
        raise


def release_file(path: pathlib.Path) -> None:
    """Detach every loop device over `path`, then delete it; safe to repeat."""
    with contextlib.suppress(ReplicaError):
        for line in _run("losetup", "--associated", str(path), "--noheadings", "--output", "NAME").splitlines():
            with contextlib.suppress(ReplicaError):
                _run("losetup", "--detach", line.strip())
    path.unlink(missing_ok=True)


def release_drill(drill_id: str) -> int:
    """Detach and delete every disk image of one drill (after its volumes are gone)."""
    if not folder().is_dir():
        return 0
    images = sorted(folder().glob(f"drillbook-{drill_id}-*.img"))
    for path in images:
        release_file(path)
    return len(images)
