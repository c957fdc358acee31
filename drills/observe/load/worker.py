"""The load process: runs a locustfile headless and records every request.

Started by `drills.load.process.LoadProcess`, never imported by the harness
(locust monkey-patches the standard library with gevent). It appends every
request and every acknowledged write to JSON-lines files, flushed line by
line, and stops on SIGTERM, when its parent dies, or after --max-seconds.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402 - after gevent's patching, as locust requires
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import IO, Any  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
from locust import FastHttpUser, HttpUser, User, constant_throughput, events  # noqa: E402
from locust.env import Environment  # noqa: E402

from drillbook.drills.observe.load import horizon  # noqa: E402
from drillbook.drills.observe.load.horizon import InFlight  # noqa: E402
from drillbook.drills.observe.load.ledger import LEDGER_FILE, MISSES_FILE, REQUESTS_FILE, compared, digest, find, shape  # noqa: E402
from drillbook.drills.observe.load.sockets import SOCKETS_FILE, SocketLog, hold  # noqa: E402


def _user_classes(locustfile: pathlib.Path) -> list[type[User]]:
    spec = importlib.util.spec_from_file_location("drill_locustfile", locustfile)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load locustfile {locustfile}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Any concrete user class: HttpUser, FastHttpUser, or one whose own client fires
    # locust's request events (the ledger is taken from those events).
    found: list[type[User]] = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, User) and not value.__dict__.get("abstract", False)
    ]
    if not found:
        raise SystemExit(f"{locustfile} defines no locust User class (HttpUser, FastHttpUser, ...)")
    return found


def _with_timeout(cls: type[User], timeout_s: float, per_user_rps: float, in_flight: InFlight | None) -> type[User]:
    """A subclass whose requests time out (a hung request is a failure), whose pace is the
    drill's, whatever the locustfile says, and whose requests' starts `in_flight` follows.
    FastHttpUser takes its timeout as class attributes; HttpUser's requests take it per call.
    Another kind of user keeps its own client, unfollowed."""
    overrides: dict[str, Any] = {"wait_time": constant_throughput(per_user_rps), "abstract": False}
    fast = issubclass(cls, FastHttpUser)
    if fast:
        overrides |= {"network_timeout": timeout_s, "connection_timeout": timeout_s}
    if fast or issubclass(cls, HttpUser):
        base: type[User] = cls

        def __init__(self: Any, environment: Environment) -> None:
            base.__init__(self, environment)
            request = self.client.request

            def timed(method: str, url: str, **kwargs: Any) -> Any:
                if not fast:
                    kwargs.setdefault("timeout", timeout_s)
                if in_flight is not None:
                    in_flight.began()
                return request(method, url, **kwargs)

            self.client.request = timed

        overrides["__init__"] = __init__
    return type(cls.__name__, (cls,), overrides)


def _follow(classes: list[type[User]], args: argparse.Namespace) -> InFlight | None:
    """The requests in flight, followed when every user's are seen to begin (`_with_timeout`)
    and are recorded (not for the benchmark's baseline); each user is a greenlet."""
    if args.no_ledger or not all(issubclass(c, HttpUser | FastHttpUser) for c in classes):
        return None
    return InFlight(args.timeout, gevent.getcurrent)


def _publish_horizon(out: pathlib.Path, in_flight: InFlight, stop: gevent.event.Event) -> None:
    while not stop.is_set():
        horizon.write(out, in_flight.horizon())
        stop.wait(horizon.EVERY_S)


class Recorder:
    def __init__(
        self, out: pathlib.Path, write_flows: dict[str, dict[str, Any]], in_flight: InFlight | None = None
    ) -> None:
        self.in_flight = in_flight
        self.requests: IO[str] = (out / REQUESTS_FILE).open("w", buffering=1)
        self.ledger: IO[str] = (out / LEDGER_FILE).open("w", buffering=1)
        self.misses: IO[str] = (out / MISSES_FILE).open("w", buffering=1)
        self.write_flows = write_flows
        self._missed: set[str] = set()

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float,
        response: Any,
        exception: BaseException | None,
        **_: Any,
    ) -> None:
        end = time.monotonic()
        start = end - (response_time or 0.0) / 1000.0
        status = int(getattr(response, "status_code", 0) or 0)
        ok = exception is None and 200 <= status < 400
        row = {
            "n": name,
            "m": request_type,
            "s": start,
            "e": end,
            "ok": ok,
            "st": status,
            "err": None if exception is None else f"{type(exception).__name__}: {exception}"[:200],
        }
        self.requests.write(json.dumps(row) + "\n")
        if self.in_flight is not None:
            self.in_flight.recorded()  # after its line is written: the horizon may pass it now
        flow = self.write_flows.get(name)
        if flow is not None and ok and 200 <= status < 300:
            self._ack(name, flow, response, end)

    def _ack(self, name: str, flow: dict[str, Any], response: Any, acked_at: float) -> None:
        try:
            body = response.request.body
            payload = json.loads(body.decode() if isinstance(body, bytes) else body)
        except (ValueError, TypeError, AttributeError):
            payload = None
        try:
            answer = response.json()
        except (ValueError, AttributeError):
            answer = _NotJson(str(getattr(response, "text", ""))[:120])
        write_id = None if isinstance(answer, _NotJson) else find(answer, flow["id_field"])
        if write_id is None or not isinstance(payload, dict):
            self._miss(name, flow, answer, payload)
            return
        fields = flow["fields"]
        row = {
            "f": name,
            "id": str(write_id),
            "d": digest(payload, fields),
            "a": acked_at,
            "p": compared(payload, fields),
        }
        self.ledger.write(json.dumps(row) + "\n")

    def _miss(self, name: str, flow: dict[str, Any], answer: Any, payload: Any) -> None:
        """The first answer per flow that proves no write: the harness stops the drill with it."""
        if name in self._missed:
            return
        self._missed.add(name)
        if isinstance(answer, _NotJson):
            described = f"not JSON: {answer.text!r}"
        elif not isinstance(payload, dict):
            described = "the request sent no JSON object, so its fields cannot be compared"
        else:
            described = json.dumps(shape(answer), ensure_ascii=False)[:600]
        self.misses.write(json.dumps({"f": name, "path": flow["id_field"], "shape": described}) + "\n")

    def close(self) -> None:
        self.requests.close()
        self.ledger.close()
        self.misses.close()


class _NotJson:
    """An answer whose body is not JSON (kept: its first characters go into the message)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _hold_streams(args: argparse.Namespace, stop: gevent.event.Event) -> tuple[list[gevent.Greenlet], SocketLog]:
    """The WebSocket clients, each a greenlet that holds the stream until the load stops."""
    log = SocketLog((args.out / SOCKETS_FILE).open("w", buffering=1))
    clients = [
        gevent.spawn(hold, args.websocket, n, log, stop.is_set, stop.wait, args.websocket_silence)
        for n in range(args.websocket_clients)
    ]
    return clients, log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="drillbook.drills.observe.load.worker")
    parser.add_argument("--locustfile", type=pathlib.Path, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second, all users")
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--write-flows", required=True, help="JSON: name -> {id_field, fields}")
    parser.add_argument("--max-seconds", type=float, required=True)
    parser.add_argument("--parent-pid", type=int, required=True, help="stop when this process is gone")
    parser.add_argument("--no-ledger", action="store_true", help="plain locust, no records (the benchmark's baseline)")
    parser.add_argument("--websocket", help="ws:// URL of a stream the WebSocket clients hold open")
    parser.add_argument("--websocket-clients", type=int, default=0)
    parser.add_argument("--websocket-silence", type=float, default=1.0, help="seconds of silence that count as dead")
    args = parser.parse_args(argv)

    if os.getppid() != args.parent_pid:
        return 0
    per_user = args.rate / args.users
    found = _user_classes(args.locustfile)
    in_flight = _follow(found, args)
    classes = [_with_timeout(c, args.timeout, per_user, in_flight) for c in found]
    recorder = None
    if not args.no_ledger:
        recorder = Recorder(args.out, json.loads(args.write_flows), in_flight)
        events.request.add_listener(recorder.on_request)  # type: ignore[no-untyped-call]
    env = Environment(user_classes=classes, host=args.host, events=events)
    runner = env.create_local_runner()

    stop = gevent.event.Event()
    gevent.signal_handler(signal.SIGTERM, stop.set)
    gevent.signal_handler(signal.SIGINT, stop.set)
    # The harness passes its pid: reading getppid() here would be too late if the
    # harness died while this process was still importing locust.
    parent = args.parent_pid
    # Imported and ready while the replica starts; users begin on the harness's "go".
    print("load: ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 0  # the harness closed our stdin: it stopped before the load began
    runner.start(args.users, spawn_rate=args.users)
    published = gevent.spawn(_publish_horizon, args.out, in_flight, stop) if in_flight is not None else None
    sockets = _hold_streams(args, stop) if args.websocket and args.websocket_clients > 0 else None
    print("load: started", flush=True)
    deadline = time.monotonic() + args.max_seconds
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        stop.wait(0.2)
    stop.set()
    runner.quit()
    if published is not None:
        published.join(timeout=1.0)
    if sockets is not None:
        gevent.joinall(sockets[0], timeout=2.0)
        gevent.killall(sockets[0], timeout=1.0)
        sockets[1].close()
    if recorder is not None:
        recorder.close()
    total = env.stats.total
    print(f"load: stopped requests={total.num_requests} failures={total.num_failures}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
