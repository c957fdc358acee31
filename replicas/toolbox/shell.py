"""One runbook command, typed into a shell under a pseudo-terminal in the toolbox.

The command is fed to bash on its standard input, the terminal, line by line
as a person types it: `pkill -f "problem-process"` does not match its own shell (whose
arguments name no command), and `top` or `watch` see a terminal. Echo is off so the
output is the command's own. A command still running
when its time is up is interrupted (Ctrl-C, then `q`, then the session killed)
and reported as not having ended by itself.
"""

from __future__ import annotations

import re
import select
import socket
import time
from collections.abc import Mapping
from typing import Any

from docker import APIClient

from drillbook.replicas.protocols import Ran

READY = "__drillbook_ready__"
ROWS, COLUMNS = 40, 160
"""The terminal's size: a pager or `watch` lays its output out as for a person's window."""
SHELL_START_S = 30.0
"""How long a new shell may take to say it is ready (usually a tenth of a second); not counted
in the command's own time."""
_START = f'stty -echo; read -r _; echo "{READY} $$"; exec bash --noprofile --norc /dev/stdin'
"""The shell says it is ready only once it has read the newline `run` sends. Said at once, the
line could reach this end with the engine's answer to the attach: the SDK's HTTP reader buffers
it with the headers, and the raw socket read after never sees it (on a loaded host a shell
"printed nothing" for 10 s, then for 30 s: three runbook checks failed so)."""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07|[\x00-\x08\x0e-\x1f]")


def run(api: APIClient, container: str, text: str, env: Mapping[str, str], timeout_s: float) -> Ran:
    exec_id = api.exec_create(container, ["bash", "-c", _START], stdin=True, tty=True, environment=dict(env))["Id"]
    stream: Any = api.exec_start(exec_id, socket=True, tty=True)
    api.exec_resize(exec_id, height=ROWS, width=COLUMNS)
    sock: socket.socket = stream._sock
    try:
        sock.sendall(b"\n")
        seen, pid = _until_ready(sock)
        started = time.monotonic()
        sock.sendall((text + "\nexit $?\n").encode())
        output, ended = _read(sock, started + timeout_s)
        if not ended:
            output += _stop(api, container, sock, pid)
        seconds = time.monotonic() - started
    finally:
        sock.close()
    status = api.exec_inspect(exec_id).get("ExitCode")
    return Ran(status if ended and isinstance(status, int) else None, clean(seen + output), seconds)


def _until_ready(sock: socket.socket) -> tuple[str, str]:
    """Output before the shell's ready line, and the shell's process id (its session)."""
    text, deadline = "", time.monotonic() + SHELL_START_S
    while not (READY in text and "\n" in text.split(READY, 1)[1]):
        chunk, ended = _read(sock, deadline, once=True)
        text += chunk
        if ended:
            raise OSError(f"the toolbox's shell ended before it was ready, having printed {text[-200:]!r}")
        if time.monotonic() > deadline:
            raise OSError(
                f"the toolbox's shell was not ready within {SHELL_START_S:g} s, having printed {text[-200:]!r}"
            )
    before, after = text.split(READY, 1)
    pid, _, rest = after.strip(" ").partition("\n")
    # Before the ready line: at most the newline sent to it, echoed if it came before `stty -echo`.
    return before.strip() + rest, pid.strip()


def _read(sock: socket.socket, deadline: float, once: bool = False) -> tuple[str, bool]:
    """What the terminal shows until the shell ends (True) or the deadline passes (False)."""
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data.decode(errors="replace"), False
        ready, _, _ = select.select([sock], [], [], min(left, 0.5))
        if not ready:
            if once and data:
                return data.decode(errors="replace"), False
            continue
        chunk = sock.recv(65536)
        if not chunk:
            return data.decode(errors="replace"), True
        data += chunk
        if once:
            return data.decode(errors="replace"), False


def _stop(api: APIClient, container: str, sock: socket.socket, pid: str) -> str:
    """Interrupt what is still running as a person would, then end the session for good."""
    shown = ""
    for keys in (b"\x03", b"q", b"\x03\nexit\n"):
        sock.sendall(keys)
        chunk, ended = _read(sock, time.monotonic() + 1.0)
        shown += chunk
        if ended:
            return shown
    if pid.isdigit():
        kill = api.exec_create(container, ["pkill", "-KILL", "-s", pid])["Id"]
        api.exec_start(kill)
    chunk, _ended = _read(sock, time.monotonic() + 2.0)
    return shown + chunk


def clean(text: str) -> str:
    """The terminal's output as plain lines: no escape sequences, no carriage returns, no
    `exit` of the shell itself."""
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    while lines and lines[-1].strip() in ("", "exit"):
        lines.pop()
    return "\n".join(lines)
