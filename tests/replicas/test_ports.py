"""Held ports: nobody else is handed or can bind a port the replica chose, yet a listener of its own can."""

from __future__ import annotations

import errno
import socket

import pytest

from drillbook.replicas.ports import HeldPorts


def bind(port: int) -> socket.socket:
    """A plain bind, as any other process's server makes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def test_a_held_port_is_refused_to_others_until_dropped() -> None:
    held = HeldPorts()
    port = held.take()
    assert port in held
    with pytest.raises(OSError) as refused:
        bind(port)
    assert refused.value.errno == errno.EADDRINUSE
    held.drop(port)
    held.drop(port)  # safe to repeat
    assert port not in held
    bind(port).close()


def test_the_engines_proxy_and_the_forwarder_can_listen_on_a_held_port() -> None:
    """Both set SO_REUSEADDR, as docker-proxy (Go's listeners) and `socket.create_server` do."""
    held = HeldPorts()
    port = held.take()
    try:
        listener = socket.create_server(("127.0.0.1", port))
        with listener, socket.create_connection(("127.0.0.1", port), timeout=2) as client:
            accepted, _ = listener.accept()
            accepted.sendall(b"ours")
            assert client.recv(4) == b"ours"
            accepted.close()
    finally:
        held.close()
    assert port not in held


def test_ports_taken_are_distinct_and_close_lets_every_one_go() -> None:
    held = HeldPorts()
    ports = [held.take() for _ in range(20)]
    assert len(set(ports)) == 20
    held.close()
    for port in ports:
        bind(port).close()
