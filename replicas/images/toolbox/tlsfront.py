"""drillbook's TLS front: the runbook's production host names, answered by the replica.

The toolbox resolves each production name (`returnit.online`) to this container
(network aliases) and trusts the drill's certificate authority; this front
ends TLS on 443 with a certificate for every name, picks the service by the
name the client asked for (SNI; the Host header on plain port 80) and relays
bytes to it. Standard library only. ROUTES is `name=service:port,...`; the
certificate and key are put in /run/tlsfront before the container starts.
"""

import contextlib
import os
import socket
import ssl
import sys
import threading

CERT, KEY = "/run/tlsfront/cert.pem", "/run/tlsfront/key.pem"


def routes() -> dict:
    table = {}
    for item in os.environ.get("ROUTES", "").split(","):
        if "=" in item:
            name, upstream = item.split("=", 1)
            host, port = upstream.rsplit(":", 1)
            table[name.lower()] = (host, int(port))
    return table


def relay(a: socket.socket, b: socket.socket) -> None:
    try:
        while chunk := a.recv(65536):
            b.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def serve(client: socket.socket, name: str, head: bytes, table: dict) -> None:
    upstream = table.get(name.lower().split(":")[0])
    if upstream is None:
        client.close()
        return
    try:
        server = socket.create_connection(upstream, timeout=5)
    except OSError:
        client.close()
        return
    server.settimeout(None)
    if head:
        server.sendall(head)
    threading.Thread(target=relay, args=(server, client), daemon=True).start()
    relay(client, server)


def tls_listener(table: dict) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    asked = {}

    def remember(sock: ssl.SSLSocket, name: str, _ctx: ssl.SSLContext) -> None:
        asked[id(sock)] = name or ""

    context.sni_callback = remember
    listener = socket.create_server(("", 443), reuse_port=True)
    while True:
        raw, _addr = listener.accept()
        threading.Thread(target=tls_client, args=(context, raw, asked, table), daemon=True).start()


def tls_client(context: ssl.SSLContext, raw: socket.socket, asked: dict, table: dict) -> None:
    try:
        raw.settimeout(10)
        client = context.wrap_socket(raw, server_side=True)
        client.settimeout(None)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    serve(client, asked.pop(id(client), ""), b"", table)


def plain_client(raw: socket.socket, table: dict) -> None:
    head = b""
    raw.settimeout(10)
    try:
        while b"\r\n\r\n" not in head and len(head) < 16384:
            chunk = raw.recv(4096)
            if not chunk:
                break
            head += chunk
    except OSError:
        raw.close()
        return
    raw.settimeout(None)
    host = ""
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"host:"):
            host = line[5:].strip().decode(errors="replace")
    serve(raw, host, head, table)


def plain_listener(table: dict) -> None:
    listener = socket.create_server(("", 80), reuse_port=True)
    while True:
        raw, _addr = listener.accept()
        threading.Thread(target=plain_client, args=(raw, table), daemon=True).start()


if __name__ == "__main__":
    table = routes()
    print(f"tlsfront: {', '.join(sorted(table))}", file=sys.stderr, flush=True)
    threading.Thread(target=plain_listener, args=(table,), daemon=True).start()
    tls_listener(table)
