"""The provision baseline: a stack started with the Docker SDK alone, in a process of its own.

Run as a script by `bench/run.py` with a JSON plan (the services of a target, in
order). It imports only docker, httpx and psycopg — nothing of drillbook — and
starts the stack the way drillbook does: the network and volumes, every container
created at once, then each service waited for in order with its readiness check
at 0.1 s polls. It prints `ready` when the last one answers and leaves the
containers for the benchmark to remove by their labels.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import docker
import httpx
import psycopg


def answers(service: dict[str, Any], database: dict[str, str], port: int) -> bool:
    if service["ready"] == "postgres":
        try:
            with psycopg.connect(
                host="127.0.0.1",
                port=port,
                user=database["user"],
                password=database["password"],
                dbname=database["dbname"],
                connect_timeout=2,
            ) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False
    if service["ready"] == "http":
        try:
            return httpx.get(f"http://127.0.0.1:{port}{service['path']}", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False
    return True


def main(plan: dict[str, Any]) -> None:
    client = docker.from_env()
    tag, labels = plan["tag"], plan["labels"]
    client.networks.create(tag, labels=labels)
    containers = {}
    for s in plan["services"]:
        for volume in s["volumes"]:
            client.volumes.create(f"{tag}-{volume}", labels=labels)
        containers[s["name"]] = client.containers.run(
            s["image"],
            command=s["command"],
            name=f"{tag}-{s['name']}",
            detach=True,
            environment=s["env"],
            network=tag,
            networking_config={tag: client.api.create_endpoint_config(aliases=[s["host"]])},
            mem_limit=s["mem_limit"],
            ports={f"{s['port']}/tcp": ("127.0.0.1", s["host_port"])},
            volumes={f"{tag}-{v}": {"bind": path, "mode": "rw"} for v, path in s["volumes"].items()},
            labels=labels,
        )
    for s in plan["services"]:
        while True:
            containers[s["name"]].reload()
            if containers[s["name"]].status == "running" and answers(s, plan["database"], s["host_port"]):
                break
            time.sleep(0.1)
    print("ready", flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
