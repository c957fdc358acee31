"""Guard rails on where drill traffic may go.

Load and probes are real traffic, and a failure drill is real stress: they go
to loopback addresses only, where drillbook's own replica publishes its
ports. A target elsewhere needs two keys: `allow_remote: true` in the drill
file and `--allow-remote` on the command line.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

import psycopg

from drillbook.errors import SpecError


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_of(target: str) -> str:
    """The host a URL or a libpq connection string points at."""
    if "://" in target and not target.startswith("postgres"):
        return urllib.parse.urlsplit(target).hostname or ""
    return str(psycopg.conninfo.conninfo_to_dict(target).get("host", ""))


def require_loopback(target: str, *, in_spec: bool, confirmed: bool) -> None:
    host = host_of(target)
    if is_loopback(host) or (in_spec and confirmed):
        return
    if in_spec:
        raise SpecError(
            f"The drill would send traffic to {host}, which is not a loopback address. The drill file allows "
            "remote targets (allow_remote: true); confirm it on the command line with --allow-remote."
        )
    raise SpecError(
        f"The drill would send traffic to {host}, which is not a loopback address. drillbook only loads and "
        "probes 127.0.0.1 unless the drill file says `allow_remote: true` and the command line says "
        "--allow-remote."
    )
