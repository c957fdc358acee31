"""HTTP endpoints of the tracker, after MLflow's REST API (`/api/2.0/mlflow/...`)."""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import sys
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg

VERSION = os.environ.get("TRACKER_VERSION", "dev")
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_uuid text PRIMARY KEY,
    experiment_id integer NOT NULL,
    name text NOT NULL,
    start_time bigint NOT NULL,
    created timestamptz NOT NULL DEFAULT now()
);
"""


class Unavailable(Exception):
    """The database did not answer: the request gets a 503."""


class Workers:
    """A fixed pool of workers, each loading its caches (a second and a half) on its first request.

    That is how a pre-forking server behaves after every start: the first
    request each worker serves is slow, the later ones are not.
    """

    def __init__(self, count: int, warmup_s: float, url: str) -> None:
        self.url = url
        self.warmup_s = warmup_s
        self.free: queue.Queue[dict[str, Any]] = queue.Queue()
        for _ in range(count):
            self.free.put({"warm": False, "conn": None})

    def run(self, work: Any) -> Any:
        worker = self.free.get()
        try:
            if not worker["warm"]:
                time.sleep(self.warmup_s)
                worker["warm"] = True
            return work(self._connection(worker))
        finally:
            self.free.put(worker)

    def _connection(self, worker: dict[str, Any]) -> psycopg.Connection[Any]:
        conn = worker["conn"]
        if conn is not None and not conn.closed:
            return conn  # type: ignore[no-any-return]
        try:
            conn = psycopg.connect(self.url, connect_timeout=1, autocommit=True)
        except psycopg.Error as exc:
            raise Unavailable(str(exc).strip().splitlines()[0] if str(exc).strip() else "no connection") from exc
        # A frozen database never answers: every statement gives up after a second.
        conn.execute("SET statement_timeout = 1000")
        worker["conn"] = conn
        return conn


def create_run(conn: psycopg.Connection[Any], body: dict[str, Any]) -> dict[str, Any]:
    run_id = uuid.uuid4().hex
    experiment = int(body.get("experiment_id", "0"))
    name = str(body.get("run_name") or run_id[:8])
    start = int(body.get("start_time") or time.time() * 1000)
    conn.execute(
        "INSERT INTO runs (run_uuid, experiment_id, name, start_time) VALUES (%s, %s, %s, %s)",
        (run_id, experiment, name, start),
    )
    info = {
        "run_id": run_id,
        "run_uuid": run_id,
        "experiment_id": str(experiment),
        "run_name": name,
        "start_time": start,
        "status": "RUNNING",
    }
    return {"run": {"info": info, "data": {}}}


def search_runs(conn: psycopg.Connection[Any], body: dict[str, Any]) -> dict[str, Any]:
    experiments = [int(e) for e in body.get("experiment_ids", ["0"])]
    limit = min(int(body.get("max_results", 10)), 100)
    rows = conn.execute(
        "SELECT run_uuid, experiment_id, name, start_time FROM runs WHERE experiment_id = ANY(%s) "
        "ORDER BY start_time DESC LIMIT %s",
        (experiments, limit),
    ).fetchall()
    runs = [{"info": {"run_id": r[0], "experiment_id": str(r[1]), "run_name": r[2], "start_time": r[3]}} for r in rows]
    return {"runs": runs}


def get_experiment(conn: psycopg.Connection[Any], experiment_id: str) -> dict[str, Any]:
    count = conn.execute("SELECT count(*) FROM runs WHERE experiment_id = %s", (int(experiment_id),)).fetchone()
    return {"experiment": {"experiment_id": experiment_id, "name": "Default", "runs": count[0] if count else 0}}


def handler(workers: Workers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/health":
                # Like many services' health checks, it says the process is up and nothing more.
                self._send(HTTPStatus.OK, {"status": "OK", "version": VERSION})
            elif path == "/api/2.0/mlflow/experiments/get":
                params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
                self._db(lambda conn: get_experiment(conn, params.get("experiment_id", "0")))
            else:
                self._send(HTTPStatus.NOT_FOUND, {"error_code": "ENDPOINT_NOT_FOUND"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, {"error_code": "MALFORMED_REQUEST"})
                return
            if self.path == "/api/2.0/mlflow/runs/create":
                self._db(lambda conn: create_run(conn, body))
            elif self.path == "/api/2.0/mlflow/runs/search":
                self._db(lambda conn: search_runs(conn, body))
            else:
                self._send(HTTPStatus.METHOD_NOT_ALLOWED, {"error_code": "METHOD_NOT_ALLOWED"})

        def _db(self, work: Any) -> None:
            try:
                self._send(HTTPStatus.OK, workers.run(work))
            except (Unavailable, psycopg.Error) as exc:
                self._send(
                    HTTPStatus.SERVICE_UNAVAILABLE, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": str(exc)[:200]}
                )

        def _send(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def wait_for_schema(url: str, wait_s: float = 120.0) -> None:
    """Migrations before serving, as the real server runs them: no answer before the schema exists."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with psycopg.connect(url, connect_timeout=1, autocommit=True) as conn:
                conn.execute(SCHEMA)
            return
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tracker")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-warmup-s", type=float, default=1.5)
    parser.add_argument(
        "--serve-for-s",
        type=float,
        default=None,
        help="exit after this long (release 1.2.0's defect: it dies once started)",
    )
    args = parser.parse_args(argv)
    url = os.environ["DATABASE_URL"]
    wait_for_schema(url)
    server = ThreadingHTTPServer(("0.0.0.0", args.port), handler(Workers(args.workers, args.worker_warmup_s, url)))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    if args.serve_for_s is not None:

        def die() -> None:
            time.sleep(args.serve_for_s)
            print(f"tracker {VERSION}: fatal: artifact store index corrupt, exiting", flush=True)
            os._exit(1)

        threading.Thread(target=die, daemon=True).start()
    print(f"tracker {VERSION} listening on {args.port}", flush=True)
    server.serve_forever()
    sys.exit(0)
