"""`make bench`: each figure against a baseline measured in the same run.

These machines are noisy, so nothing here is compared with a number from
another day: every figure comes with its own baseline, taken minutes apart
on the same engine. Results go to bench/results.json and bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import httpx

from drills import spec as spec_module
from drills.runner import DrillRunner
from replicas import engine, images, labels, postgres
from replicas.replica import free_port

ROOT = pathlib.Path(__file__).resolve().parents[1]
CATALOG = ROOT / "drills" / "catalog"
RESULTS = ROOT / "bench" / "results.json"
TABLE = ROOT / "bench" / "results.md"


def say(line: str) -> None:
    print(f"bench: {line}", flush=True)


def drill_file(tmp: pathlib.Path, name: str, **changes: Any) -> pathlib.Path:
    return spec_module.write_variant(CATALOG / "db-outage.yaml", tmp, name, **changes)


def run_drill(path: pathlib.Path, out: pathlib.Path) -> dict[str, Any]:
    runner = DrillRunner(spec_module.load(path), out)
    runner.run()
    return runner.document


# --- 1. downtime accuracy ------------------------------------------------------------


def accuracy(tmp: pathlib.Path, holds: tuple[float, ...]) -> list[dict[str, Any]]:
    rows = []
    for hold in holds:
        path = drill_file(
            tmp,
            f"bench-accuracy-{int(hold)}",
            scenario={"name": "db_outage", "with": {"mode": "pause"}, "hold_s": hold},
            recovery=None,
            phases={"steady_state_s": 3, "verify_window_s": 3, "recover_timeout_s": hold + 30},
        )
        doc = run_drill(path, tmp / path.stem)
        faults = [e for e in doc["timeline"] if e["kind"] == "fault"]
        truth = faults[1]["t"] - faults[0]["t"]
        measured = doc["measurements"]["downtime_s"]
        error = None if measured is None else measured - truth
        say(f"pause {hold:g} s: true outage {truth:.3f} s, measured {measured} s, error {error:+.3f} s")
        rows.append(
            {
                "hold_s": hold,
                "true_outage_s": round(truth, 4),
                "measured_s": measured,
                "abs_error_s": None if error is None else round(abs(error), 4),
            }
        )
    return rows


# --- 2. provision overhead -----------------------------------------------------------------


def bare_provision(client: Any, target: Any) -> float:
    """The same two containers with a plain `docker run`, until both answer."""
    tag = f"bench-bare-{secrets.token_hex(3)}"
    started = time.perf_counter()
    client.networks.create(tag, labels=labels.for_drill(tag))
    try:
        db, app = target.service("db"), target.service("app")
        db_port, app_port = free_port(), free_port()
        client.containers.run(
            db.image,
            name=f"{tag}-db",
            detach=True,
            environment=dict(db.env),
            network=tag,
            networking_config={tag: client.api.create_endpoint_config(aliases=["db"])},
            ports={"5432/tcp": ("127.0.0.1", db_port)},
            labels=labels.for_drill(tag),
        )
        while not postgres.answers(target.database, db_port, 1.0):
            time.sleep(0.05)
        client.containers.run(
            app.image,
            name=f"{tag}-app",
            detach=True,
            environment=dict(app.env),
            network=tag,
            ports={"8080/tcp": ("127.0.0.1", app_port)},
            labels=labels.for_drill(tag),
        )
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{app_port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        from replicas.cleanup import remove_drill_objects

        remove_drill_objects(client, tag)


def provision(tmp: pathlib.Path, rounds: int) -> dict[str, Any]:
    client = engine.connect()
    target = spec_module.load(CATALOG / "db-outage.yaml").target
    bare, drill = [], []
    for i in range(rounds):
        bare.append(bare_provision(client, target))
        path = drill_file(tmp, f"bench-provision-{i}", phases={"max_duration_s": 120})
        journal = tmp / path.stem / "journal.jsonl"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "drills", "run", str(path), "--out", str(tmp / path.stem)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not (journal.exists() and '"detail": "steady state"' in journal.read_text()):
            time.sleep(0.02)
        drill.append(time.perf_counter() - started)
        proc.send_signal(signal.SIGINT)  # the rest of the drill is not what is measured
        proc.wait(timeout=120)
        say(f"provision round {i}: bare docker run {bare[-1]:.2f} s, drillbook run to steady state {drill[-1]:.2f} s")
    b, d = min(bare), min(drill)
    return {"bare_s": round(b, 3), "drillbook_s": round(d, 3), "ratio": round(d / b, 3), "rounds": rounds}


# --- 3. load capacity ----------------------------------------------------------------------


def load_capacity(seconds: float) -> dict[str, Any]:
    client = engine.connect()
    target = spec_module.load(CATALOG / "db-outage.yaml").target
    from replicas.replica import Replica

    counts: dict[str, list[float]] = {}
    with Replica(client, target, f"bench-load-{secrets.token_hex(3)}") as replica, tempfile.TemporaryDirectory() as tmp:
        for mode in ("without ledger", "with ledger", "without ledger", "with ledger"):
            argv = [
                sys.executable,
                "-m",
                "drills.load.worker",
                "--locustfile",
                str(target.locustfile),
                "--host",
                replica.url(),
                "--users",
                "8",
                "--rate",
                "10000",
                "--timeout",
                "5",
                "--out",
                tmp,
                "--write-flows",
                json.dumps({w.name: {"id_field": w.id_field, "fields": list(w.fields)} for w in target.write_flows}),
                "--max-seconds",
                str(seconds),
                "--parent-pid",
                str(os.getpid()),
            ]
            if mode == "without ledger":
                argv.append("--no-ledger")
            out = subprocess.run(argv, input="go\n", capture_output=True, text=True, timeout=seconds + 60).stdout
            line = next(x for x in out.splitlines() if x.startswith("load: stopped"))
            rps = int(line.split("requests=")[1].split()[0]) / seconds
            counts.setdefault(mode, []).append(rps)
            say(f"load {mode}: {rps:.0f} requests/s")
    with_, without = max(counts["with ledger"]), max(counts["without ledger"])
    return {
        "with_ledger_rps": round(with_, 1),
        "without_ledger_rps": round(without, 1),
        "ratio": round(with_ / without, 3),
    }


# --- 4 and 5. catalog wall time and harness footprint ------------------------------------


def catalog(tmp: pathlib.Path) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    per_drill = {}
    for name in ("db-outage", "bad-deploy", "memory-leak"):
        t0 = time.perf_counter()
        doc = run_drill(CATALOG / f"{name}.yaml", tmp / f"catalog-{name}")
        per_drill[name] = {"wall_s": round(time.perf_counter() - t0, 2), "verdict": doc["verdict"]}
        say(f"catalog {name}: {per_drill[name]['wall_s']} s, {doc['verdict']}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall_s": round(wall, 2),
        "target_s": 180,
        "per_drill": per_drill,
        "harness_cpu_s": round(cpu, 2),
        "harness_cpu_share_of_wall": round(cpu / wall, 3),
        "harness_peak_rss_mib": round(after.ru_maxrss / 1024, 1),
        "load_process_cpu_s": round(children.ru_utime + children.ru_stime, 2),
    }


def markdown(results: dict[str, Any]) -> str:
    acc = results.get("accuracy", [])
    lines = ["| figure | measured | baseline (same run) | ratio / error | target |", "|---|---|---|---|---|"]
    for row in acc:
        lines.append(
            f"| downtime of a {row['hold_s']:g} s database pause | {row['measured_s']:.3f} s | "
            f"{row['true_outage_s']:.3f} s (true outage) | {row['abs_error_s']:.3f} s | ≤ 0.1 s |"
        )
    if "provision" in results:
        p = results["provision"]
        lines.append(
            f"| provision to steady state | {p['drillbook_s']:.2f} s | {p['bare_s']:.2f} s (bare docker run) "
            f"| {p['ratio']:.2f} | ≤ 1.3 |"
        )
    if "load" in results:
        ld = results["load"]
        lines.append(
            f"| load capacity with the ledger | {ld['with_ledger_rps']:.0f} req/s | "
            f"{ld['without_ledger_rps']:.0f} req/s (plain locust) | {ld['ratio']:.2f} | ≥ 0.9 |"
        )
    if "catalog" in results:
        c = results["catalog"]
        lines.append(f"| three built-in drills in a row | {c['wall_s']:.0f} s | — | — | ≤ 180 s |")
        lines.append(
            f"| harness CPU during them | {c['harness_cpu_s']:.1f} s ({c['harness_cpu_share_of_wall']:.0%} "
            f"of a core) | — | — | — |"
        )
        lines.append(f"| harness peak memory | {c['harness_peak_rss_mib']:.0f} MiB | — | — | — |")
        lines.append(f"| load process CPU | {c['load_process_cpu_s']:.1f} s | — | — | — |")
    lines.append(
        "| restore throughput, failover outage | not measured: database recovery (issue 5) has not landed | | | |"
    )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true", help="shorter outages and fewer rounds")
    args = parser.parse_args()
    os.environ.setdefault("DRILLBOOK_HISTORY", str(ROOT / "out" / "bench-history.db"))
    images.ensure(engine.connect(), list(images.RECIPES))
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}, "date": time.strftime("%Y-%m-%d")}
    steps: list[tuple[str, Callable[[pathlib.Path], Any]]] = [
        ("accuracy", lambda tmp: accuracy(tmp, (1.0, 5.0) if args.quick else (1.0, 5.0, 20.0))),
        ("provision", lambda tmp: provision(tmp, 1 if args.quick else 3)),
        ("load", lambda tmp: load_capacity(5.0 if args.quick else 15.0)),
        ("catalog", catalog),
    ]
    with tempfile.TemporaryDirectory(prefix="drillbook-bench-") as tmp:
        for name, step in steps:
            results[name] = step(pathlib.Path(tmp))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    TABLE.write_text(markdown(results))
    print(TABLE.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
