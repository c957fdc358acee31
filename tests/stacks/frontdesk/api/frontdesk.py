"""The help desk's API: open a ticket, list the newest; its health says whether PostgreSQL answers."""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg

URL = os.environ["DATABASE_URL"]


def connect():
    return psycopg.connect(URL, connect_timeout=1, autocommit=True)


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            with connect() as conn:
                if self.path == "/healthz":
                    conn.execute("SELECT 1")
                    return self._answer(200, {"status": "ok", "release": os.environ.get("RELEASE")})
                if self.path == "/v1/tickets":
                    newest = "SELECT id, title, priority FROM tickets ORDER BY id DESC LIMIT 20"
                    rows = conn.execute(newest).fetchall()
                    listed = [{"id": f"T-{i}", "title": t, "priority": p} for i, t, p in rows]
                    return self._answer(200, {"tickets": listed})
        except psycopg.Error as exc:
            return self._answer(503, {"status": "database unavailable", "error": type(exc).__name__})
        return self._answer(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/v1/tickets":
            return self._answer(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            ticket = json.loads(self.rfile.read(length) or b"{}")
            with connect() as conn:
                (new,) = conn.execute(
                    "INSERT INTO tickets (title, priority) VALUES (%s, %s) RETURNING id",
                    (ticket["title"], int(ticket["priority"])),
                ).fetchone()
        except (KeyError, ValueError):
            return self._answer(400, {"error": "title and priority (1-3) are required"})
        except psycopg.Error as exc:
            return self._answer(503, {"status": "database unavailable", "error": type(exc).__name__})
        return self._answer(201, {"ticket": {"id": f"T-{new}"}})

    def log_message(self, format, *args):
        return None


if __name__ == "__main__":
    if os.environ.get("BROKEN"):
        print("frontdesk: unknown option --prot (this release is broken)", file=sys.stderr)
        sys.exit(2)
    ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("API_PORT", "9000"))), Handler).serve_forever()
