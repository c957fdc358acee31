"""A container's memory read from its cgroup, the same figures the engine reports.

`docker stats` refreshes about once a second and takes about that long to
answer; a leak that crosses the last 5% of its limit in under a second needs
finer readings. Where the engine's cgroups are visible on this host (cgroupfs
v1 or v2), they are read directly; elsewhere callers fall back to the API.
"""

from __future__ import annotations

import pathlib
from typing import Any

ROOT = pathlib.Path("/sys/fs/cgroup")


def _stat(path: pathlib.Path) -> dict[str, int]:
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(" ")
        if value.isdigit():
            out[key] = int(value)
    return out


def memory(container_id: str) -> tuple[int, int] | None:
    """(working set, limit) in bytes, as `docker stats` counts them, or None if not visible."""
    v1 = ROOT / "memory" / "docker" / container_id
    v2 = next(
        (
            p
            for p in (ROOT / "system.slice" / f"docker-{container_id}.scope", ROOT / "docker" / container_id)
            if (p / "memory.current").exists()
        ),
        None,
    )
    try:
        if (v1 / "memory.usage_in_bytes").exists():
            usage = int((v1 / "memory.usage_in_bytes").read_text())
            limit = int((v1 / "memory.limit_in_bytes").read_text())
            inactive = _stat(v1 / "memory.stat").get("total_inactive_file", 0)
        elif v2 is not None:
            usage = int((v2 / "memory.current").read_text())
            raw = (v2 / "memory.max").read_text().strip()
            if raw == "max":
                return None
            limit = int(raw)
            inactive = _stat(v2 / "memory.stat").get("inactive_file", 0)
        else:
            return None
    except (OSError, ValueError):
        return None
    return usage - inactive, limit


def cpu_ns(container_id: str) -> int | None:
    """CPU time the container has used, in nanoseconds (cgroupfs v1 or v2), or None if not visible."""
    v1 = ROOT / "cpuacct" / "docker" / container_id / "cpuacct.usage"
    v2 = (ROOT / "system.slice" / f"docker-{container_id}.scope", ROOT / "docker" / container_id)
    try:
        if v1.exists():
            return int(v1.read_text())
        for path in v2:
            if (path / "cpu.stat").exists():
                return _stat(path / "cpu.stat")["usage_usec"] * 1000
    except (OSError, ValueError, KeyError):
        return None
    return None


def memory_from_stats(stats: dict[str, Any]) -> tuple[int, int] | None:
    """(working set, limit) from the engine's stats answer, where the cgroup is not visible."""
    memory = stats.get("memory_stats") or {}
    usage, limit = memory.get("usage"), memory.get("limit")
    if not usage or not limit:
        return None
    detail = memory.get("stats") or {}
    inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
    return int(usage) - int(inactive), int(limit)
