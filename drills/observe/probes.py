"""Health, key-flow and database probes at a fine interval.

A probe every few seconds cannot tell 14:59 from 15:01 of downtime, so probes
run every `interval_s` (0.1 s by default) and each one is launched on time
whatever the previous one is doing: a hung probe does not delay the next, and a
tick skipped because too many of one probe hang is made up as soon as one ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self

import psycopg
import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError
from urllib3.exceptions import TimeoutError as HTTPTimeout

from drillbook.drills.observe.samples import Sample

MAX_IN_FLIGHT = 64
# A probe that hangs is already a sample of "down" for as long as it hangs, so at
# most a few of each kind wait at once. Piling up more measures nothing and, on a
# frozen database, leaves a backlog of abandoned connections that slows its thaw.
IN_FLIGHT_PER_PROBE = {"http": 3, "postgres": 1}


@dataclass(frozen=True)
class Probe:
    name: str
    kind: Literal["http", "postgres"]
    target: str | Callable[[], str]
    """A URL on 127.0.0.1, or a libpq connection string to 127.0.0.1; a callable for one
    that moves during the drill (the database after a failover)."""
    method: str = "GET"
    body: str | None = None
    """A JSON body, sent with `Content-Type: application/json` (a search that is a POST)."""

    def address(self) -> str:
        return self.target() if callable(self.target) else self.target


def _says_degraded(response: urllib3.BaseHTTPResponse) -> bool:
    """A JSON object answer whose `status` is "degraded" (health endpoints' convention)."""
    if "json" not in response.headers.get("content-type", "") or len(response.data) > 65536:
        return False
    try:
        body = json.loads(response.data)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("status") == "degraded"


def reason(exc: BaseException, timeout_s: float) -> str:
    """Why a probe failed, in the words a person would use: timed out, refused, or what was said."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "refused" in text.lower() or any(isinstance(c, ConnectionRefusedError) for c in _chain(exc)):
        return "connection refused"
    if isinstance(exc, NewConnectionError):  # before the timeouts: urllib3 makes it one of them
        return f"could not connect: {text}" if text else "could not connect"
    if isinstance(exc, HTTPTimeout | TimeoutError | psycopg.errors.ConnectionTimeout):
        return f"timed out after {timeout_s:g} s"
    if isinstance(exc, ProtocolError | ConnectionResetError) or "reset" in text.lower():
        return "connection closed without an answer"
    if "timeout expired" in text.lower():
        return f"timed out after {timeout_s:g} s"
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from (urllib3 wraps the refusal in its own error)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(found) < 8:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _release(waiting: Counter[str], freed: asyncio.Event, name: str, _task: asyncio.Task[None]) -> None:
    waiting[name] -= 1
    freed.set()


class ProbeRunner:
    def __init__(
        self,
        probes: tuple[Probe, ...],
        interval_s: float,
        timeout_s: float,
        clock: Callable[[], float],
    ) -> None:
        self.probes = probes
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._clock = clock
        self.samples: list[Sample] = []
        self._in_flight: dict[object, float] = {}
        """The start of each probe still waiting for its answer (drill clock)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drillbook-probes", daemon=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def start(self) -> None:
        self._thread.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.timeout_s + 5)

    def horizon(self) -> float:
        """The instant (drill clock) before which every probe started is in `samples`: the start
        of the oldest probe still waiting, or now. Safe from any thread."""
        now = self._clock()
        return min([*self._in_flight.values(), now])

    def _run(self) -> None:
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        """One probe of each name a tick; a tick skipped because its probes all hang is owed, and
        launched the moment one of them ends, not a whole interval later: otherwise the first
        answer after a thaw comes up to `interval_s` late, and so does the measured recovery."""
        with _Http(self.probes, self.timeout_s) as http:
            pending: set[asyncio.Task[None]] = set()
            waiting: Counter[str] = Counter()
            owed: set[str] = set()
            freed = asyncio.Event()

            def launch(probe: Probe) -> bool:
                if len(pending) >= MAX_IN_FLIGHT or waiting[probe.name] >= IN_FLIGHT_PER_PROBE[probe.kind]:
                    return False
                waiting[probe.name] += 1
                task = asyncio.create_task(self._one(http, probe))
                pending.add(task)
                task.add_done_callback(pending.discard)
                task.add_done_callback(functools.partial(_release, waiting, freed, probe.name))
                return True

            next_tick = time.monotonic()
            while not self._stop.is_set():
                for probe in self.probes:
                    if launch(probe):
                        owed.discard(probe.name)
                    else:
                        owed.add(probe.name)
                next_tick += self.interval_s
                while (left := next_tick - time.monotonic()) > 0 and not self._stop.is_set():
                    freed.clear()
                    try:
                        await asyncio.wait_for(freed.wait(), left)
                    except TimeoutError:
                        break
                    for probe in self.probes:
                        if probe.name in owed and launch(probe):
                            owed.discard(probe.name)
            if pending:
                await asyncio.wait(pending, timeout=self.timeout_s + 1)

    async def _one(self, http: _Http, probe: Probe) -> None:
        start, key = self._clock(), object()
        self._in_flight[key] = start
        try:
            await self._sample(http, probe, start)
        finally:
            del self._in_flight[key]  # after its sample is in: the horizon may pass it now

    async def _sample(self, http: _Http, probe: Probe, start: float) -> None:
        status, error, degraded = 0, None, False
        try:
            if probe.kind == "http":
                response = await http.request(probe)
                status = response.status
                ok = 200 <= status < 300
                if not ok:
                    error = f"HTTP {status}"
                degraded = ok and _says_degraded(response)
            else:
                await asyncio.wait_for(_in_thread(_query, probe.address()), self.timeout_s)
                ok = True
        except (HTTPError, psycopg.Error, OSError, TimeoutError) as exc:
            ok, error = False, reason(exc, self.timeout_s)
        self.samples.append(Sample("probe", probe.name, start, self._clock(), ok, status, error, degraded))


class _Http:
    """The HTTP probes' requests: urllib3's blocking pool on as many threads as may be in flight.
    httpx's async client cost about three times the CPU a request (its async layers; the probes
    were the harness's largest cost, docs/design.md, "How the tests run"). The timeouts are
    the ones httpx had: `timeout_s` to connect and again to each read, no retry, no redirect
    followed; kept-alive connections are reused, as a monitor's are."""

    def __init__(self, probes: tuple[Probe, ...], timeout_s: float) -> None:
        slots = IN_FLIGHT_PER_PROBE["http"] * max(1, sum(p.kind == "http" for p in probes))
        self._threads = ThreadPoolExecutor(slots, thread_name_prefix="drillbook-http-probe")
        self._pools = urllib3.PoolManager(
            maxsize=slots,
            block=False,
            retries=False,
            timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._pools.clear()

    async def request(self, probe: Probe) -> urllib3.BaseHTTPResponse:
        headers = {"Content-Type": "application/json"} if probe.body is not None else None
        call = functools.partial(
            self._pools.request, probe.method, probe.address(), body=probe.body, headers=headers, redirect=False
        )
        return await asyncio.get_running_loop().run_in_executor(self._threads, call)


def _query(conninfo: str) -> None:
    """The runbook's `psql $DATABASE_URL -c "SELECT 1;"`, a new connection each time."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT 1")


def _in_thread(call: Callable[[str], None], argument: str) -> asyncio.Future[None]:
    """`call(argument)` on a thread of its own: a database frozen in the middle of a connection
    (a paused container) can hold that thread, never the loop every other probe runs on.
    The thread ends by itself once the database answers or is gone."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(None)

    def run() -> None:
        error: BaseException | None = None
        try:
            call(argument)
        except BaseException as exc:  # handed to the probe, which records it
            error = exc
        with contextlib.suppress(RuntimeError):  # the probes stopped meanwhile: nobody waits for it
            loop.call_soon_threadsafe(settle, error)

    threading.Thread(target=run, name="drillbook-db-probe", daemon=True).start()
    return done
