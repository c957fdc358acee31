"""A TCP fault proxy: the replica's stand-in for a slow or broken network path.

This kernel has no netem, so faults between a service and its database are
made here: the proxy forwards LISTEN_PORT to UPSTREAM and, on command, delays
every answer from upstream (`latency`, with `jitter_ms`), holds all data in
both directions (`timeout`: a black-holed route; it flows again when the fault
is cleared), or resets every connection with an RST and refuses new ones
(`reset`). `pass` forwards untouched. Standard library only: the image needs no
wheelhouse.

Control, on CONTROL_PORT (published on the host's loopback):
    GET  /faults   the fault in force and connection counters
    POST /faults   {"mode": "pass|latency|timeout|reset", "latency_ms": N, "jitter_ms": N}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import struct
import time
from typing import Any

MODES = ("pass", "latency", "timeout", "reset")


class Fault:
    def __init__(self) -> None:
        self.mode = "pass"
        self.latency_ms = 0.0
        self.jitter_ms = 0.0
        self.since = time.time()

    def set(self, body: dict[str, Any]) -> None:
        mode = str(body.get("mode", "pass"))
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        latency, jitter = float(body.get("latency_ms", 0)), float(body.get("jitter_ms", 0))
        if not (0 <= latency <= 600_000 and 0 <= jitter <= latency + 1):
            raise ValueError("latency_ms must be 0..600000 and jitter_ms 0..latency_ms")
        self.mode, self.latency_ms, self.jitter_ms, self.since = mode, latency, jitter, time.time()

    def delay_s(self) -> float:
        if self.mode != "latency":
            return 0.0
        return max(0.0, self.latency_ms + random.uniform(-self.jitter_ms, self.jitter_ms)) / 1000

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "latency_ms": self.latency_ms, "jitter_ms": self.jitter_ms, "since": self.since}


FAULT = Fault()
OPEN: set[asyncio.StreamWriter] = set()
COUNTERS = {"accepted": 0, "reset": 0}


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST (linger 0), as a broken route or a firewall would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delayed: bool) -> None:
    """Forward one direction in order; answers from upstream (`delayed`) carry the latency."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read() -> None:
        try:
            while data := await reader.read(65536):
                queue.put_nowait((time.monotonic() + (FAULT.delay_s() if delayed else 0.0), data))
        except (ConnectionError, OSError):
            pass
        queue.put_nowait((0.0, b""))

    async def write() -> None:
        due_last = 0.0
        while True:
            due, data = await queue.get()
            due_last = max(due, due_last)  # jitter never reorders the stream
            while FAULT.mode == "timeout":
                await asyncio.sleep(0.05)
            if (wait := due_last - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    with contextlib.suppress(ConnectionError, OSError):
        await asyncio.gather(read(), write())


async def _client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    COUNTERS["accepted"] += 1
    if FAULT.mode == "reset":
        COUNTERS["reset"] += 1
        _reset(writer)
        return
    host, _, port = os.environ["UPSTREAM"].rpartition(":")
    try:
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
    except OSError:
        _reset(writer)
        return
    OPEN.update((writer, up_writer))
    try:
        await asyncio.gather(_pipe(reader, up_writer, False), _pipe(up_reader, writer, True))
    finally:
        OPEN.difference_update((writer, up_writer))
        for w in (writer, up_writer):
            w.close()


async def _control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    status, body = 200, dict[str, Any]()
    try:
        request = (await reader.readline()).decode().split()
        headers = {}
        while (line := (await reader.readline()).decode().strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        payload = await reader.readexactly(int(headers.get("content-length", "0")))
        method, path = request[0], request[1]
        if path != "/faults":
            status, body = 404, {"error": "GET or POST /faults"}
        elif method == "POST":
            FAULT.set(json.loads(payload or b"{}"))
            if FAULT.mode == "reset":
                COUNTERS["reset"] += len(OPEN)
                for open_writer in list(OPEN):
                    _reset(open_writer)
        if status == 200:
            body = {**FAULT.as_dict(), "open": len(OPEN) // 2, **COUNTERS}
    except (ValueError, IndexError, json.JSONDecodeError) as exc:
        status, body = 400, {"error": str(exc)}
    data = json.dumps(body).encode()
    writer.write(
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
        + data
    )
    await writer.drain()
    writer.close()


async def main() -> None:
    listen = await asyncio.start_server(_client, "0.0.0.0", int(os.environ.get("LISTEN_PORT", "5432")))
    control = await asyncio.start_server(_control, "0.0.0.0", int(os.environ.get("CONTROL_PORT", "8474")))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"faultproxy: :{os.environ.get('LISTEN_PORT', '5432')} -> {os.environ['UPSTREAM']}", flush=True)
    async with listen, control:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
