"""Starting, reading and stopping the load process from the harness."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
from types import TracebackType
from typing import Self

from drillbook.drills.observe.load import horizon
from drillbook.drills.observe.load.ledger import (
    LEDGER_FILE,
    MISSES_FILE,
    REQUESTS_FILE,
    AckedWrite,
    Miss,
    RequestRecord,
    Tail,
    parse_miss,
    parse_request,
    parse_write,
)
from drillbook.drills.observe.load.sockets import SOCKETS_FILE, SocketEvent, parse_event
from drillbook.errors import ReplicaError
from drillbook.replicas.target import Stream, WriteFlow


class LoadProcess:
    """A locust worker process; a context manager that always stops it."""

    def __init__(
        self,
        *,
        locustfile: pathlib.Path,
        host: str,
        users: int,
        rate: float,
        timeout_s: float,
        write_flows: tuple[WriteFlow, ...],
        out: pathlib.Path,
        max_seconds: float,
        stream: tuple[str, Stream] | None = None,
    ) -> None:
        """`stream`: the URL of the target's WebSocket stream and how to hold it, if it has one."""
        self.out = out
        self._argv = [
            sys.executable,
            "-m",
            "drillbook.drills.observe.load.worker",
            "--locustfile",
            str(locustfile),
            "--host",
            host,
            "--users",
            str(users),
            "--rate",
            str(rate),
            "--timeout",
            str(timeout_s),
            "--out",
            str(out),
            "--write-flows",
            json.dumps({w.name: {"id_field": w.id_field, "fields": list(w.fields)} for w in write_flows}),
            "--max-seconds",
            str(max_seconds),
            "--parent-pid",
            str(os.getpid()),
        ]
        if stream is not None:
            url, held = stream
            self._argv += ["--websocket", url, "--websocket-clients", str(held.clients)]
            self._argv += ["--websocket-silence", str(held.silence_s)]
        self._proc: subprocess.Popen[str] | None = None
        self._requests = Tail(out / REQUESTS_FILE)
        self._writes = Tail(out / LEDGER_FILE)
        self._misses = Tail(out / MISSES_FILE)
        self._sockets = Tail(out / SOCKETS_FILE)
        self.socket_events: list[SocketEvent] = []
        """Every WebSocket client's connection opened and closed, in order."""
        self.requests: list[RequestRecord] = []
        self.writes: list[AckedWrite] = []
        self.misses: list[Miss] = []
        """Per write flow, its first 2xx answer in which the id was not found."""
        self.timeout_s = timeout_s
        self.horizon = time.monotonic() - timeout_s
        """As of the last `poll`, the instant (`time.monotonic()`) before which every request the
        load started is in `requests`: the worker's word (`load/horizon.py`), or, without it
        (a user class whose requests it cannot follow), now minus the timeout."""

    @property
    def requests_file(self) -> pathlib.Path:
        """Where the worker writes each request as it ends (a second reader tails it too)."""
        return self._requests.path

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def spawn(self) -> None:
        """Start the worker so it imports locust while the replica is still starting."""
        if self._proc is not None:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        for stale in (REQUESTS_FILE, LEDGER_FILE, MISSES_FILE, SOCKETS_FILE, horizon.HORIZON_FILE):
            (self.out / stale).unlink(missing_ok=True)
        with (self.out / "load.log").open("w") as log:
            self._proc = subprocess.Popen(
                self._argv,
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                # Its own process group: a Ctrl-C in the terminal reaches the harness,
                # which then stops the load in order, after the fault is reverted.
                start_new_session=True,
            )

    def start(self, timeout_s: float = 60.0) -> None:
        """Let the users loose, once the worker is ready, and wait until they run."""
        self.spawn()
        assert self._proc is not None and self._proc.stdin is not None
        self._wait_for("load: ready", timeout_s)
        self._proc.stdin.write("go\n")
        self._proc.stdin.flush()
        self._wait_for("load: started", timeout_s)

    def _wait_for(self, line: str, timeout_s: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if line in (self.out / "load.log").read_text():
                return
            if self._proc.poll() is not None:
                raise ReplicaError(
                    "The load process exited at start. Its output:\n"
                    f"{(self.out / 'load.log').read_text()[-2000:]}\nCheck the target's locustfile."
                )
            time.sleep(0.05)
        raise ReplicaError(f"The load process did not start within {timeout_s:g} s.")

    def poll(self) -> None:
        """Take in what the worker appended since the last call. The horizon first: every
        request that started before it was written before it, so it is among the lines read
        after it."""
        said = horizon.read(self.out)
        self.horizon = said if said is not None else time.monotonic() - self.timeout_s
        self.requests.extend(parse_request(row) for row in self._requests.read())
        self.writes.extend(parse_write(row) for row in self._writes.read())
        self.misses.extend(parse_miss(row) for row in self._misses.read())
        self.socket_events.extend(parse_event(row) for row in self._sockets.read())

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop the worker (idempotent) and read its last records."""
        proc = self._proc
        if proc is not None and proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # a worker still waiting for "go" ends here
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.poll()
