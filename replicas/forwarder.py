"""A TCP forwarder on 127.0.0.1 whose upstream can be switched: a rolling deploy's traffic move.

Docker publishes one host port per container, and the load and probes keep
one address for the whole drill. With `deploy: rolling` the service's address
is this forwarder's port; each container publishes a port of its own behind
it. A rolling deploy starts the new container, waits until it answers, then
switches the forwarder: new connections go to the new container, and open
connections to the old one are moved as soon as they are idle between two
requests, before the old container is stopped.

Moving a kept-alive HTTP connection means giving it a new connection to the new
container behind it, as an HTTP load balancer does: the client's connection
stays open, so no request of it can cross a close. Closing it instead (the
client then opens a fresh one, as after a server's keep-alive timeout) races
with a request the client sends at that instant, which then fails: seen under
load. A connection that is not plain HTTP (a WebSocket, or bytes that are not
an HTTP request) has a state the new container does not share, so it is closed
between two messages, and its client connects again.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

CHUNK = 65536
QUIET_S = 0.02
_METHODS = (b"GET ", b"HEAD ", b"POST ", b"PUT ", b"PATCH ", b"DELETE ", b"OPTIONS ")


class _Pair:
    def __init__(self, client: socket.socket, upstream: socket.socket, port: int) -> None:
        self.client = client
        self.upstream = upstream
        self.port = port
        self.last_from_client = 0.0
        self.last_from_upstream = 0.0
        self.closed = threading.Event()
        self.retiring = threading.Event()
        """Move (or close) as soon as no request is in flight and none is waiting to be read."""
        self.opaque = False
        """Not plain HTTP: a request that is not HTTP/1 or asks to upgrade the connection."""

    def saw_from_client(self, data: bytes) -> None:
        """Between two answers a plain HTTP client's bytes start a request; an upgrade's do too,
        but say so in its header, and nothing after it is HTTP."""
        between = self.last_from_client <= self.last_from_upstream
        if (between and not data.startswith(_METHODS)) or b"upgrade:" in data.lower():
            self.opaque = True
        self.last_from_client = time.monotonic()

    def quiet_for(self, now: float) -> float:
        """Seconds since the last answer's bytes; 0 while a request is in flight."""
        if self.last_from_client > self.last_from_upstream:
            return 0.0
        return now - self.last_from_upstream

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class Forwarder:
    def __init__(self, listen_port: int, upstream_port: int) -> None:
        self.listen_port = listen_port
        self.upstream_port = upstream_port
        self._pairs: set[_Pair] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", listen_port), reuse_port=False)
        self._server.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, name=f"drillbook-forward-{listen_port}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            port = self.upstream_port
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=2.0)
            except OSError:
                client.close()  # the container is not listening: the client sees a refused/closed connection
                continue
            pair = _Pair(client, upstream, port)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair: _Pair) -> None:
        socks = [pair.client, pair.upstream]
        try:
            while not pair.closed.is_set() and not self._stop.is_set():
                retiring = pair.retiring.is_set()
                readable, _, _ = select.select(socks, [], [], QUIET_S if retiring else 0.2)
                # Only this thread reads the sockets: nothing readable for QUIET_S after an
                # answer means the answer is complete (its header and body writes arrive
                # together on loopback) and no request is in flight, so the upstream can be
                # swapped here; a request the client sends meanwhile waits in its socket.
                if retiring and not readable and pair.quiet_for(time.monotonic()) >= QUIET_S:
                    if pair.opaque or not self._move(pair):
                        return
                    socks = [pair.client, pair.upstream]
                    continue
                for sock in readable:
                    data = sock.recv(CHUNK)
                    if not data:
                        return
                    other = pair.upstream if sock is pair.client else pair.client
                    other.sendall(data)
                    if sock is pair.client:
                        pair.saw_from_client(data)
                    else:
                        pair.last_from_upstream = time.monotonic()
        except (OSError, ValueError):
            return
        finally:
            pair.close()
            with self._lock:
                self._pairs.discard(pair)

    def _move(self, pair: _Pair) -> bool:
        """The pair's upstream replaced by a connection to the current one; False if it refuses."""
        port = self.upstream_port
        pair.retiring.clear()
        if pair.port == port:  # moved already: `switch` marked it from an older listing
            return True
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=2.0)
        except OSError:
            return False
        old, pair.upstream, pair.port = pair.upstream, upstream, port
        with contextlib.suppress(OSError):
            old.close()
        return True

    def switch(self, upstream_port: int, drain_s: float = 5.0) -> int:
        """New connections to `upstream_port`; the old upstream's connections moved (plain HTTP)
        or closed (anything else) between two requests, or cut when `drain_s` ends. Returns how
        many had to be cut."""
        old, self.upstream_port = self.upstream_port, upstream_port
        deadline = time.monotonic() + drain_s
        while True:
            with self._lock:
                left = [p for p in self._pairs if p.port == old]
            for pair in left:
                pair.retiring.set()
            if not left:
                return 0
            if time.monotonic() >= deadline:
                for pair in left:
                    pair.close()
                return len(left)
            time.sleep(0.005)

    def stop(self) -> None:
        """Idempotent: the listening socket and every open connection closed."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._server.close()
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            pair.close()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
