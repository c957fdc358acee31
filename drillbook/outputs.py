"""Writing a file drillbook keeps: whole or not at all.

A reader (a report, `drillbook cleanup`, the next step of a drill, a drill killed halfway
and looked at later) must never find half a file. Each is written beside its final name and
renamed over it, which is atomic within a folder; the result is also flushed to the disk
before the rename, since a CI job may read it right after a host's crash.
"""

from __future__ import annotations

import json
import os
import pathlib
import tempfile
from typing import Any


def write_json(
    path: pathlib.Path, value: Any, *, indent: int | None = None, mode: int = 0o644, sync: bool = False
) -> None:
    """`value` as JSON at `path`, replacing it whole. `mode` is the file's from its first byte (a
    secret is never readable by others, even for a moment). The partial file is removed on any
    error, which is raised as it came (OSError) for the caller to name its fix."""
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as out:
            json.dump(value, out, indent=indent)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        pathlib.Path(partial).unlink(missing_ok=True)
        raise
