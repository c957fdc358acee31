"""`drillbook init --compose FILE`: a starter drill for a team's own Compose stack.

It reads the Compose file the way a drill will (so a key a replica cannot
honour is refused now, not at the first run), picks the app (the service with
an HTTP port) and the database (a PostgreSQL image or `POSTGRES_*`
environment), and writes a target, a locustfile to edit and a db_outage drill
that `drillbook validate` accepts. From `pip install` to the first drill of
one's own stack is `init`, an edit, `run`.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re

import yaml
from rich.console import Console
from rich.markup import escape

from drillbook import inputs
from drillbook.errors import DrillbookError, ExitCode
from drillbook.replicas.compose import project as compose_project
from drillbook.replicas.compose.services import read
from drillbook.replicas.target import Service

LOCUSTFILE = '''"""The load for {name}: edit it to walk your users' real flows.

A request whose name is listed under `load.write_flows` in target.yaml is an
acknowledged write: drillbook checks after the drill, by SQL, that it is still
in the database.
"""

from locust import FastHttpUser, constant_throughput, task


class User(FastHttpUser):
    wait_time = constant_throughput(1)

    @task
    def health(self):
        self.client.get("{health}", name="health")
'''


def cmd_init(args: argparse.Namespace, console: Console) -> ExitCode:
    compose = pathlib.Path(args.compose)
    if not compose.is_file():
        raise DrillbookError(f"init: no Compose file {compose}. Give the path of your stack's compose.yaml.")
    out = inputs.writable_folder(pathlib.Path(args.out), "output folder (--out)")
    project = compose_project.load(compose.resolve())
    services, _reading = read(project)
    app, database = _app(services, compose), _database(services, compose)
    health = _health_path(services[app])
    files = {
        "target.yaml": _target(compose, out, project.name, app, database, health),
        "locustfile.py": LOCUSTFILE.format(name=project.name, health=health),
        "db-outage.yaml": _drill(project.name, database),
    }
    existing = [name for name in files if (out / name).exists()]
    if existing:
        raise DrillbookError(
            f"init: {', '.join(str(out / n) for n in existing)} already exist; init never overwrites. Choose "
            "another folder with --out, or move them away."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text)
    except OSError as exc:
        fix = "Choose another folder with --out."
        raise DrillbookError(f"init: cannot write into {out}: {exc.strerror}. {fix}") from None
    console.print(f"[bold]A drill for {escape(project.name)}[/] in {escape(str(out))}:")
    console.print(f"  app {escape(app)} (health {escape(health)}), database {escape(database)}")
    for name in files:
        console.print(f"  wrote {escape(str(out / name))}")
    console.print(
        f"Next: walk your users' flows in {escape(str(out / 'locustfile.py'))} (and name its writes in "
        f"target.yaml), then `drillbook validate {escape(str(out / 'db-outage.yaml'))}` and "
        f"`drillbook run {escape(str(out / 'db-outage.yaml'))}`."
    )
    return ExitCode.OK


def _app(services: dict[str, Service], compose: pathlib.Path) -> str:
    candidates = [s for s in services.values() if s.port and not _is_postgres(s)]
    if not candidates:
        raise DrillbookError(
            f"init: no service in {compose} publishes a port (`ports:`) other than a database's, so there is no "
            "app for the load to reach. Give your app service a `ports:` entry."
        )
    named = [s for s in candidates if re.search(r"api|app|web|server|front", s.name)]
    return (named or candidates)[0].name


def _database(services: dict[str, Service], compose: pathlib.Path) -> str:
    found = [s.name for s in services.values() if _is_postgres(s)]
    if not found:
        raise DrillbookError(
            f"init: no PostgreSQL service in {compose} (an image named postgres, or POSTGRES_* environment): "
            "drillbook's data check and database faults need one."
        )
    return found[0]


def _is_postgres(service: Service) -> bool:
    return "postgres" in service.image.split("/")[-1] or any(k.startswith("POSTGRES_") for k in service.env)


def _health_path(service: Service) -> str:
    """The path the service's own health check calls, else `/health`."""
    test = " ".join(service.healthcheck.test) if service.healthcheck else ""
    found = re.search(r"https?://[^/\s'\"]+(/[^\s'\"]*)", test)
    return found.group(1) if found else "/health"


def _target(compose: pathlib.Path, out: pathlib.Path, name: str, app: str, database: str, health: str) -> str:
    relative = os.path.relpath(compose.resolve(), out.resolve())
    target = {
        "compose": relative,
        "app": app,
        "health": health,
        "database": {"service": database},
        "key_flows": [{"name": "health", "path": health}],
        "load": {"locustfile": "locustfile.py", "write_flows": []},
        "data_check": {"sql": "SELECT NULL::text AS id WHERE false AND NULL::text = ANY(%(ids)s::text[])"},
    }
    head = (
        f"# The target for {name}: what a drill adds to its Compose file. Add your key flows, name the\n"
        "# locustfile's write requests under load.write_flows ({name, id_field, fields}) and give\n"
        "# data_check.sql that finds them by id (%(ids)s), so every acknowledged write is checked.\n"
    )
    return head + yaml.safe_dump(target, sort_keys=False)


def _drill(name: str, database: str) -> str:
    drill = {
        "name": f"{re.sub(r'[^a-z0-9._-]+', '-', name.lower()).strip('-') or 'stack'}-db-outage",
        "description": f"{name}'s PostgreSQL killed under load; restarted on its volume, verified.",
        "target": "target.yaml",
        "phases": {"steady_state_s": 10, "verify_window_s": 10},
        "alerts": {"time_scale": 0.05},
        "scenario": {"name": "db_outage", "with": {"mode": "kill", "service": database}},
        "recovery": {"name": "restart_database", "with": {"service": database}},
        "objectives": {"tier": "customer-facing"},
    }
    return "# A first drill of your own stack: `drillbook run` it.\n" + yaml.safe_dump(drill, sort_keys=False)
