"""The replica's loopback ports, chosen up front and held until the replica is torn down.

A port chosen by binding to port 0 and closing the socket is free for anyone
again at once: the container that publishes it starts seconds later, and in
between any process on the machine that binds to port 0 can be handed the same
port (a test server beside the drills was, once, and the drill measured it for
three seconds). So each chosen port stays bound, with SO_REUSEADDR and never
listening: the kernel hands it to no one else, a plain bind to it is refused,
and the engine's proxy (which sets SO_REUSEADDR) and drillbook's own forwarder
can still listen on it. The hold also covers a recreate, when the old container
has gone and the new one has not yet published the port.
"""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port free now, not held: for a caller that binds it at once itself."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HeldPorts:
    def __init__(self) -> None:
        self._held: dict[int, socket.socket] = {}

    def take(self) -> int:
        """A new loopback port, held from now until `drop` or `close`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
        self._held[port] = sock
        return port

    def drop(self, port: int) -> None:
        """Let one port go (a rolled service's old container's, or the new one's that never became
        ready); safe to repeat."""
        sock = self._held.pop(port, None)
        if sock is not None:
            sock.close()

    def close(self) -> None:
        for port in list(self._held):
            self.drop(port)

    def __contains__(self, port: object) -> bool:
        return port in self._held
