"""What the runbook's Phase 2 and Phase 4 commands would have shown, gathered by the harness.

A drill proves that the evidence an on-call engineer needs can be had while
things are broken: health and metrics bodies, a connectivity check, active
and long-running statements, the slowest statements, connection counts,
each container's memory and CPU, and the error lines of its log. Gathering
never fails the drill: a part that cannot be had (the database is down) is
recorded as unavailable with the reason. Every part is bounded in size.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from decimal import Decimal

import docker.errors
import httpx
import psycopg

from drillbook.contract import EventKind
from drillbook.errors import DrillbookError
from drillbook.replicas import loopback
from drillbook.replicas.protocols import Observed

MAX_TEXT = 2000
Logs = dict[str, bytes | str]
"""Each service's last log lines as read, or the reason they could not be."""
MAX_ROWS = 20
MAX_CELL = 300
LOG_TAIL = 500
LOG_LINES = 20
CPU_WINDOW_S = 0.3
TIMEOUT_S = 2.0
LOGS_WAIT_S = 1.0
"""How long the drill's thread waits for the logs: a log is read in tens of milliseconds, but one
on a swarm node cut off, or on a manager without quorum, answers only at its client's timeout
(5 s), and the recovery would wait for it (11 s of a failover's downtime, once)."""
ERROR_LINE = re.compile(r"error|fatal|panic|exception|traceback|critical", re.IGNORECASE)
# "WHERE state = 'active' AND query_start < now() - interval '5 minutes'"
LONG_RUNNING_S = 300.0
SLOW_MEAN_MS = 1000.0  # "WHERE mean_exec_time > 1000"


@dataclass(frozen=True)
class Section:
    name: str
    command: str
    """The runbook's command this part stands for."""
    available: bool
    reason: str = ""
    """Why it could not be gathered, or a remark on what it shows."""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Snapshot:
    label: str
    at: float
    took_s: float
    sections: tuple[Section, ...]

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)


def _cut(value: object, limit: int = MAX_CELL) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return _cut(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)


def _table(rows: Sequence[Sequence[object]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_cut(c) for c in row) for row in rows[:MAX_ROWS])


class Gatherer:
    """Takes snapshots of one replica; `time_scale` scales the runbook's 5 minutes."""

    def __init__(
        self, replica: Observed, time_scale: float, clock: Callable[[], float], logs_wait_s: float = LOGS_WAIT_S
    ) -> None:
        self.replica = replica
        self.logs_wait_s = logs_wait_s
        self.long_running_s = LONG_RUNNING_S * time_scale
        self.clock = clock

    def snapshot(self, label: str, logs: Logs | None = None) -> Snapshot:
        """Every part at once; `logs` read a moment before (`read_logs`), or read now."""
        at = self.clock()
        started = time.perf_counter()
        target = self.replica.target
        parts: list[Callable[[], Section | list[Section]]] = [
            lambda: self._http("health", f"curl -f {target.health}", target.health)
        ]
        if target.metrics is not None:
            metrics = target.metrics
            parts.append(lambda: self._http("metrics", f"curl -f {metrics}", metrics))
        parts += [self._database, self._containers, lambda: self._log_errors(logs)]
        # All at once: the evidence is of one instant, not of a second later when the
        # recovery may already have put things right.
        with ThreadPoolExecutor(len(parts), thread_name_prefix="drillbook-diagnostics") as pool:
            gathered = list(pool.map(lambda part: part(), parts))
        took = time.perf_counter() - started
        sections = [s for g in gathered for s in (g if isinstance(g, list) else [g])]
        return Snapshot(label, round(at, 4), round(took, 4), tuple(sections))

    def _http(self, name: str, command: str, path: str) -> Section:
        try:
            response = loopback.get(self.replica.url() + path, timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:
            return Section(name, command, False, _reason(exc))
        return Section(name, command, True, f"HTTP {response.status_code}", text=_cut(response.text, MAX_TEXT))

    def _database(self) -> list[Section]:
        commands = {
            "connectivity": 'psql $DATABASE_URL -c "SELECT 1;"',
            "active_statements": "SELECT ... FROM pg_stat_activity WHERE state = 'active'",
            "long_running": "SELECT query, query_start, state FROM pg_stat_activity WHERE state = 'active' "
            f"AND query_start < now() - interval '{self.long_running_s:g} seconds'",
            "slowest_statements": "SELECT query, mean_exec_time, calls FROM pg_stat_statements "
            "ORDER BY mean_exec_time DESC LIMIT 10",
            "connections": "SELECT count(*) FROM pg_stat_activity",
        }
        started = time.perf_counter()
        try:
            conn = psycopg.connect(
                self.replica.db_conninfo(TIMEOUT_S),
                autocommit=True,
                application_name="drillbook-diagnostics",
                options=f"-c statement_timeout={int(TIMEOUT_S * 1000)}",
            )
        except psycopg.Error as exc:
            reason = f"the database could not be reached: {_reason(exc)}"
            return [Section(name, command, False, reason) for name, command in commands.items()]
        with conn:
            try:
                conn.execute("SELECT 1").fetchone()
            except psycopg.Error as exc:
                reason = f"connected, but a query failed: {_reason(exc)}"
                return [Section(name, command, False, reason) for name, command in commands.items()]
            answered = f"answered in {1000 * (time.perf_counter() - started):.0f} ms"
            out = [Section("connectivity", commands["connectivity"], True, answered)]
            for name, query in (
                ("active_statements", self._active),
                ("long_running", self._long_running),
                ("slowest_statements", self._slowest),
                ("connections", self._connections),
            ):
                try:
                    out.append(query(conn, commands[name]))
                except psycopg.Error as exc:
                    out.append(Section(name, commands[name], False, _reason(exc)))
        return out

    _ACTIVE = """
        SELECT pid, coalesce(application_name, ''), state,
               round(extract(epoch FROM now() - query_start)::numeric, 2), coalesce(wait_event, ''), query
        FROM pg_stat_activity
        WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        {extra}
        ORDER BY query_start"""
    _ACTIVE_COLUMNS = ("pid", "application", "state", "running_s", "waiting_on", "query")

    def _active(self, conn: psycopg.Connection[tuple[object, ...]], command: str) -> Section:
        rows = conn.execute(self._ACTIVE.format(extra="")).fetchall()
        return Section("active_statements", command, True, f"{len(rows)} active", self._ACTIVE_COLUMNS, _table(rows))

    def _long_running(self, conn: psycopg.Connection[tuple[object, ...]], command: str) -> Section:
        extra = "AND query_start < now() - make_interval(secs => %s)"
        rows = conn.execute(self._ACTIVE.format(extra=extra), (self.long_running_s,)).fetchall()
        remark = f"{len(rows)} running longer than {self.long_running_s:g} s (the runbook's 5 minutes, scaled)"
        return Section("long_running", command, True, remark, self._ACTIVE_COLUMNS, _table(rows))

    def _slowest(self, conn: psycopg.Connection[tuple[object, ...]], command: str) -> Section:
        installed = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'").fetchone()
        if installed is None:
            return Section(
                "slowest_statements",
                command,
                False,
                "pg_stat_statements is not installed in this database "
                "(shared_preload_libraries and CREATE EXTENSION pg_stat_statements)",
            )
        rows = conn.execute(
            "SELECT round(mean_exec_time::numeric, 2), calls, query FROM pg_stat_statements "
            "ORDER BY mean_exec_time DESC LIMIT 10"
        ).fetchall()
        slow = sum(1 for r in rows if isinstance(r[0], Decimal | float) and r[0] > SLOW_MEAN_MS)
        remark = f"{slow} with a mean over {SLOW_MEAN_MS:g} ms (the runbook's filter); the 10 slowest shown"
        return Section("slowest_statements", command, True, remark, ("mean_ms", "calls", "query"), _table(rows))

    def _connections(self, conn: psycopg.Connection[tuple[object, ...]], command: str) -> Section:
        rows = conn.execute(
            "SELECT coalesce(state, backend_type), count(*) FROM pg_stat_activity GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        limit = conn.execute("SHOW max_connections").fetchone()
        total = sum(r[1] for r in rows if isinstance(r[1], int))
        remark = f"{total} connections of max_connections {limit[0] if limit else '?'}"
        return Section("connections", command, True, remark, ("state", "count"), _table(rows))

    def _containers(self) -> Section:
        command = "top; free -h (per container: memory and CPU from its cgroup)"
        services = [s.name for s in self.replica.target.services]
        try:
            # Each service on a thread of its own: on a swarm every figure is a call to its node's
            # engine (seconds for a whole stack, one after another).
            with ThreadPoolExecutor(len(services), thread_name_prefix="drillbook-containers") as pool:
                rows = list(pool.map(self._container_row, services))
        except (DrillbookError, docker.errors.DockerException, OSError) as exc:
            return Section("containers", command, False, _reason(exc))
        return Section(
            "containers", command, True, "", ("service", "status", "memory", "cpu", "oom_killed"), _table(rows)
        )

    def _container_row(self, service: str) -> tuple[str, ...]:
        before = self.replica.cpu_ns(service)
        time.sleep(CPU_WINDOW_S)
        after = self.replica.cpu_ns(service)
        cpu = "—" if after is None or before is None else f"{100 * (after - before) / (CPU_WINDOW_S * 1e9):.0f}%"
        memory = self.replica.memory(service)
        mem = "—" if memory is None else f"{memory[0] / 2**20:.0f} MiB of {memory[1] / 2**20:.0f} MiB"
        return (service, self.replica.status(service), mem, cpu, str(self.replica.oom_killed(service)))

    def read_logs(self) -> Logs:
        """Each service's last log lines, or why they could not be read; every log at once."""

        def read(service: str) -> bytes | str:
            try:
                return self.replica.logs(service, LOG_TAIL)
            except Exception as exc:  # read on the drill's thread: gathering never fails the drill
                return _reason(exc)

        services = [s.name for s in self.replica.target.services]
        pool = ThreadPoolExecutor(len(services), thread_name_prefix="drillbook-logs")
        reads = {service: pool.submit(read, service) for service in services}
        wait_for(reads.values(), timeout=self.logs_wait_s)
        pool.shutdown(wait=False)  # a read still waiting on its node ends at its own timeout
        late = f"not read within {self.logs_wait_s:g} s (its node did not answer)"
        return {service: future.result() if future.done() else late for service, future in reads.items()}

    def _log_errors(self, logs: Logs | None) -> Section:
        command = "grep -i error (each container's log)"
        rows: list[tuple[str, str]] = []
        unreadable = []
        logs = self.read_logs() if logs is None else logs
        for service, raw in logs.items():
            if isinstance(raw, str):
                unreadable.append(f"{service}: {raw}")
                continue
            lines = [ln for ln in raw.decode(errors="replace").splitlines() if ERROR_LINE.search(ln)]
            rows += [(service, line) for line in lines[-LOG_LINES:]]
        remark = f"last {LOG_LINES} error lines of each container's last {LOG_TAIL} log lines"
        if unreadable:
            remark += "; unreadable: " + "; ".join(unreadable)
        return Section("log_errors", command, True, remark, ("service", "line"), tuple((s, _cut(ln)) for s, ln in rows))


def brief(snapshot: Snapshot) -> list[str]:
    """A few lines of a snapshot for a person at a terminal (a rehearsal's hand-over)."""
    lines = []
    for section in snapshot.sections:
        if not section.available:
            lines.append(f"{section.name}: unavailable ({section.reason})")
        elif section.name == "log_errors":
            lines += [f"log {service}: {line}" for service, line in section.rows[-3:]] or ["log errors: none"]
        elif section.name == "containers":
            lines += [_container_line(dict(zip(section.columns, row, strict=False))) for row in section.rows]
        elif section.reason:
            lines.append(f"{section.name}: {section.reason}")
    return lines


def _container_line(row: dict[str, str]) -> str:
    """Every field labelled: a bare `False` at the end of a line says nothing to a person."""
    oom = {"True": "yes", "False": "no"}.get(row.get("oom_killed", ""), row.get("oom_killed", "—"))
    return (
        f"container {row.get('service', '?')} · status {row.get('status', '—')} · memory {row.get('memory', '—')}"
        f" · cpu {row.get('cpu', '—')} · OOM-killed {oom}"
    )


class Background:
    """Snapshots taken off the drill's thread: gathering takes a second or two, and
    the recovery must not wait for it."""

    def __init__(self, gatherer: Gatherer, record: Callable[[EventKind, str], object]) -> None:
        self.gatherer = gatherer
        self.record = record
        self.snapshots: list[Snapshot] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def take(self, label: str) -> None:
        """The containers' logs now, on the drill's thread, and the rest off it. A recovery that
        replaces a container at once leaves no log to read (an engineer saves the logs before a
        restart too); reading them costs the recovery tens of milliseconds (at most `logs_wait_s`), the
        rest seconds."""
        logs = self.gatherer.read_logs()
        thread = threading.Thread(
            target=self._take, args=(label, logs), name=f"drillbook-diagnostics-{label}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _take(self, label: str, logs: Logs) -> None:
        try:
            snapshot = self.gatherer.snapshot(label, logs)
        except Exception as exc:
            self.record(EventKind.DIAGNOSTICS, f"{label}: could not be gathered: {_reason(exc)}")
            return
        with self._lock:
            self.snapshots.append(snapshot)
        missing = [s.name for s in snapshot.sections if not s.available]
        note = f"; unavailable: {', '.join(missing)}" if missing else ""
        self.record(EventKind.DIAGNOSTICS, f"{label}: snapshot taken in {snapshot.took_s:.2f} s{note}")

    def get(self, label: str, timeout_s: float) -> Snapshot | None:
        """The snapshot with this label, waiting for it a while; None if it is not there."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                found = next((s for s in self.snapshots if s.label == label), None)
            if found is not None or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    def wait(self, timeout_s: float = 20.0) -> list[Snapshot]:
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            return sorted(self.snapshots, key=lambda s: s.at)
