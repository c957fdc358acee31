"""`make bench`: each figure against a baseline from the same run that is independent of drillbook.

These machines are noisy, so nothing here is compared with a number from
another day, and no baseline is drillbook measuring itself:

1. downtime accuracy: the measured downtime of a database paused for 1, 5, 7.3
   and 20 s (three rounds each) against the Docker engine's own `pause` and
   `unpause` events (nanosecond times); the largest error counts. Target 0.1 s.
2. provision: `drillbook run` from process start to its steady state against
   `bench/bare_start.py`, a process that starts the same containers with the
   Docker SDK alone the way drillbook starts them (all created, then each waited
   for in order with the same readiness check), best of three each. Target 1.3.
3. load capacity: drillbook's load process with its write ledger against plain
   `locust --headless` with the same locustfile and users. Target ratio 0.9.
4. the catalog: three built-in drills, each in a process of its own whose CPU
   and peak memory are read when it ends (the harness, and its load process
   apart); and the whole nightly game day's wall time. Every drill must pass.

Results go to bench/results.json and bench/results.md; the command exits 1 and
names each figure that missed its target.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import pathlib
import platform
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from drillbook.drills import spec as spec_module
from drillbook.drills.run.runner import DrillRunner
from drillbook.replicas import engine, images, labels, recipes
from drillbook.replicas.desired_state import ServiceState
from drillbook.replicas.ports import free_port
from drillbook.replicas.target import Target

ROOT = pathlib.Path(__file__).resolve().parents[1]
CATALOG = ROOT / "drills" / "catalog"
RESULTS = ROOT / "bench" / "results.json"
TABLE = ROOT / "bench" / "results.md"
TARGETS = {"accuracy_s": 0.1, "provision_ratio": 1.3, "load_ratio": 0.9, "catalog_s": 180.0}


def say(line: str) -> None:
    print(f"bench: {line}", flush=True)


def drill_file(tmp: pathlib.Path, name: str, **changes: Any) -> pathlib.Path:
    return spec_module.write_variant(CATALOG / "db-outage.yaml", tmp, name, **changes)


def run_drill(path: pathlib.Path, out: pathlib.Path) -> dict[str, Any]:
    runner = DrillRunner(spec_module.load(path), out)
    runner.run()
    return runner.document


# --- 1. downtime accuracy ------------------------------------------------------------


def engine_outage(client: Any, container: str, since: dt.datetime, until: dt.datetime) -> float:
    """The engine's own record of the fault: seconds from its `pause` to its `unpause` event."""
    events = client.events(
        since=since,
        until=until,
        decode=True,
        filters={"type": "container", "event": ["pause", "unpause"], "container": container},
    )
    times = {e["Action"]: int(e["timeNano"]) for e in events}
    return (times["unpause"] - times["pause"]) / 1e9


def accuracy(tmp: pathlib.Path, holds: tuple[float, ...], rounds: int) -> list[dict[str, Any]]:
    client = engine.connect()
    rows = []
    for hold in holds:
        errors, truths, measured_all = [], [], []
        for round_ in range(rounds):
            path = drill_file(
                tmp,
                f"bench-accuracy-{str(hold).replace('.', '-')}-{round_}",
                scenario={"name": "db_outage", "with": {"mode": "pause"}, "hold_s": hold},
                recovery=None,
                phases={"steady_state_s": 3, "verify_window_s": 3, "recover_timeout_s": hold + 30},
            )
            since = dt.datetime.now(dt.UTC)
            doc = run_drill(path, tmp / path.stem)
            until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
            truth = engine_outage(client, f"drillbook-{doc['drill_id']}-db", since, until)
            measured = doc["measurements"]["downtime_s"]
            error = float("inf") if measured is None else measured - truth
            say(f"pause {hold:g} s, round {round_ + 1}: engine {truth:.3f} s, measured {measured} s, {error:+.3f} s")
            errors.append(error)
            truths.append(truth)
            measured_all.append(measured)
        worst = max(range(rounds), key=lambda i: abs(errors[i]))
        rows.append(
            {
                "hold_s": hold,
                "rounds": rounds,
                "engine_outage_s": round(truths[worst], 4),
                "measured_s": measured_all[worst],
                "max_abs_error_s": round(abs(errors[worst]), 4),
                "errors_s": [round(e, 4) for e in errors],
            }
        )
    return rows


# --- 2. provision overhead -----------------------------------------------------------------


def bare_provision(client: Any, target: Target) -> float:
    """`bench/bare_start.py` in a process of its own, from its start until the last service answers:
    the same services, order and readiness checks as drillbook, with nothing of drillbook."""
    tag = f"bench-bare-{secrets.token_hex(3)}"
    db = target.database
    plan = {
        "tag": tag,
        "labels": labels.for_drill(tag),
        "database": {"user": db.user, "password": db.password, "dbname": db.dbname},
        "services": [
            {
                "name": s.name,
                "image": s.image,
                "command": list(s.command) if s.command else None,
                "env": ServiceState(s.image, dict(s.env), dict(s.flags), s.mem_limit).container_env(),
                "host": s.host,
                "mem_limit": s.mem_limit,
                "port": s.port,
                "host_port": free_port(),
                "volumes": dict(s.volumes),
                "ready": s.ready.kind,
                "path": s.ready.path,
            }
            for s in target.services
        ],
    }
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "bare_start.py"), json.dumps(plan)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        took = time.perf_counter() - started
        if proc.returncode != 0 or "ready" not in proc.stdout:
            raise RuntimeError(f"bench/bare_start.py failed: {proc.stderr[-1000:]}")
        return took
    finally:
        from drillbook.replicas.cleanup import remove_drill_objects

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
            [sys.executable, "-m", "drillbook", "run", str(path), "--out", str(tmp / path.stem)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not (journal.exists() and '"detail": "steady state"' in journal.read_text()):
            time.sleep(0.02)
        drill.append(time.perf_counter() - started)
        proc.send_signal(signal.SIGINT)  # the rest of the drill is not what is measured
        proc.wait(timeout=120)
        say(f"provision round {i}: bare SDK start {bare[-1]:.2f} s, drillbook run to steady state {drill[-1]:.2f} s")
    b, d = min(bare), min(drill)
    return {
        "bare_s": round(b, 3),
        "drillbook_s": round(d, 3),
        "ratio": round(d / b, 3),
        "rounds": rounds,
        "services": [s.name for s in target.services],
    }


# --- 3. load capacity ----------------------------------------------------------------------


UNTHROTTLED = """\
# The team's locustfile as it is, its users unthrottled as drillbook's load process unthrottles them.
from locust import constant_throughput

import {module} as _team


class Unthrottled(_team.{user}):
    wait_time = constant_throughput({per_user})
"""


def plain_locust(locustfile: pathlib.Path, host: str, users: int, rate: float, seconds: float, tmp: str) -> float:
    """Requests per second of plain `locust --headless`, same locustfile, users and rate."""
    wrapper = pathlib.Path(tmp) / "bench_unthrottled.py"
    user = re.search(r"^class (\w+)\(\w*User\):", locustfile.read_text(), re.M)
    assert user, f"{locustfile}: no locust user class"
    wrapper.write_text(UNTHROTTLED.format(module=locustfile.stem, user=user.group(1), per_user=rate / users))
    prefix = pathlib.Path(tmp) / "plain"
    subprocess.run(
        [
            str(pathlib.Path(sys.executable).parent / "locust"),
            "--headless",
            "-f",
            str(wrapper),
            "--host",
            host,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds:g}s",
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        env={**os.environ, "PYTHONPATH": str(locustfile.parent)},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    with open(f"{prefix}_stats.csv", newline="") as fh:
        total = next(row for row in csv.DictReader(fh) if row["Name"] == "Aggregated")
    return int(total["Request Count"]) / seconds


def ledger_locust(target: Target, host: str, users: int, rate: float, seconds: float, tmp: str) -> float:
    """Requests per second of drillbook's load process, its write ledger on."""
    argv = [
        sys.executable,
        "-m",
        "drillbook.drills.observe.load.worker",
        "--locustfile",
        str(target.locustfile),
        "--host",
        host,
        "--users",
        str(users),
        "--rate",
        str(rate),
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
    out = subprocess.run(argv, input="go\n", capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next(x for x in out.splitlines() if x.startswith("load: stopped"))
    return int(line.split("requests=")[1].split()[0]) / seconds


def load_capacity(seconds: float) -> dict[str, Any]:
    client = engine.connect()
    target = spec_module.load(CATALOG / "db-outage.yaml").target
    from drillbook.replicas.replica import Replica

    users, rate = 8, 10_000.0
    counts: dict[str, list[float]] = {"plain": [], "ledger": []}
    with Replica(client, target, f"bench-load-{secrets.token_hex(3)}") as replica, tempfile.TemporaryDirectory() as tmp:
        for _ in range(2):  # alternating, best of each: the machine's noise decides less
            counts["plain"].append(plain_locust(target.locustfile, replica.url(), users, rate, seconds, tmp))
            say(f"load, plain locust --headless: {counts['plain'][-1]:.0f} requests/s")
            counts["ledger"].append(ledger_locust(target, replica.url(), users, rate, seconds, tmp))
            say(f"load, drillbook with its ledger: {counts['ledger'][-1]:.0f} requests/s")
    with_, plain = max(counts["ledger"]), max(counts["plain"])
    return {"with_ledger_rps": round(with_, 1), "plain_locust_rps": round(plain, 1), "ratio": round(with_ / plain, 3)}


# --- 4. the catalog: per-drill footprint, and the nightly game day ------------------------------

ONE_DRILL = """\
import json, resource, sys
from drillbook.drills.cli import main
code = main(["run", sys.argv[1], "--out", sys.argv[2], "--no-live", "--history", sys.argv[3]])
own, load = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[4], "w") as fh:
    json.dump({"code": code, "cpu_s": own.ru_utime + own.ru_stime, "peak_rss_kib": own.ru_maxrss,
               "load_cpu_s": load.ru_utime + load.ru_stime, "load_peak_rss_kib": load.ru_maxrss}, fh)
"""


def catalog(tmp: pathlib.Path) -> dict[str, Any]:
    """Each drill in a process of its own: its CPU and peak memory are the drill's, from its start."""
    per_drill = {}
    started = time.perf_counter()
    for name in ("db-outage", "bad-deploy", "memory-leak"):
        out, usage = tmp / f"catalog-{name}", tmp / f"catalog-{name}.json"
        t0 = time.perf_counter()
        argv = [sys.executable, "-c", ONE_DRILL, str(CATALOG / f"{name}.yaml"), str(out), str(tmp / "h.db"), str(usage)]
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - t0
        u = json.loads(usage.read_text())
        verdict = json.loads((out / "result.json").read_text())["verdict"]
        per_drill[name] = {
            "wall_s": round(wall, 2),
            "verdict": verdict,
            "harness_cpu_s": round(u["cpu_s"], 2),
            "harness_cpu_share": round(u["cpu_s"] / wall, 3),
            "harness_peak_rss_mib": round(u["peak_rss_kib"] / 1024, 1),
            "load_cpu_s": round(u["load_cpu_s"], 2),
            "load_peak_rss_mib": round(u["load_peak_rss_kib"] / 1024, 1),
        }
        say(f"catalog {name}: {per_drill[name]}")
    return {"wall_s": round(time.perf_counter() - started, 2), "per_drill": per_drill}


def nightly(tmp: pathlib.Path) -> dict[str, Any]:
    out = tmp / "nightly"
    started = time.perf_counter()
    argv = [sys.executable, "-m", "drillbook", "gameday", str(CATALOG / "nightly.yaml"), "--out", str(out)]
    subprocess.run([*argv, "--no-live", "--history", str(tmp / "nightly.db")], cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    gdoc = json.loads((out / "gameday.json").read_text())
    say(f"nightly game day: {wall:.0f} s, {gdoc['counts']}")
    return {"wall_s": round(wall, 1), "drills": len(gdoc["drills"]), "counts": gdoc["counts"]}


def misses(results: dict[str, Any]) -> list[str]:
    """Every figure that missed its target, and every drill that did not pass."""
    found = []
    for row in results.get("accuracy", []):
        if row["max_abs_error_s"] > TARGETS["accuracy_s"]:
            found.append(f"downtime of a {row['hold_s']:g} s pause off by {row['max_abs_error_s']:.3f} s (> 0.1 s)")
    if (p := results.get("provision")) and p["ratio"] > TARGETS["provision_ratio"]:
        found.append(f"provision ratio {p['ratio']:.2f} (> {TARGETS['provision_ratio']})")
    if (ld := results.get("load")) and ld["ratio"] < TARGETS["load_ratio"]:
        found.append(f"load capacity ratio {ld['ratio']:.2f} (< {TARGETS['load_ratio']})")
    if c := results.get("catalog"):
        if c["wall_s"] > TARGETS["catalog_s"]:
            found.append(f"three built-in drills took {c['wall_s']:.0f} s (> {TARGETS['catalog_s']:g} s)")
        found += [
            f"catalog drill {n} ended {d['verdict']}" for n, d in c["per_drill"].items() if d["verdict"] != "passed"
        ]
    if (n := results.get("nightly")) and n["counts"].get("passed") != n["drills"]:
        found.append(f"nightly game day: {n['counts']}")
    return found


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['date']} on {m['cpus']} cores, {m['platform']}, Docker {m['docker']}.",
        "",
        "| figure | measured | baseline (same run, independent of drillbook) | ratio / error | target |",
        "|---|---|---|---|---|",
    ]
    for row in results.get("accuracy", []):
        lines.append(
            f"| downtime of a {row['hold_s']:g} s database pause (worst of {row['rounds']}) "
            f"| {row['measured_s']:.3f} s "
            f"| {row['engine_outage_s']:.3f} s (the engine's pause/unpause events) | {row['max_abs_error_s']:.3f} s "
            "| ≤ 0.1 s |"
        )
    if p := results.get("provision"):
        lines.append(
            f"| provision to steady state ({', '.join(p['services'])}) | {p['drillbook_s']:.2f} s | "
            f"{p['bare_s']:.2f} s (`bench/bare_start.py`: the same containers, the Docker SDK alone, same order "
            f"and checks, a process of its own) | {p['ratio']:.2f} | ≤ 1.3 |"
        )
    if ld := results.get("load"):
        lines.append(
            f"| load capacity with the ledger | {ld['with_ledger_rps']:.0f} req/s | "
            f"{ld['plain_locust_rps']:.0f} req/s (plain `locust --headless`) | {ld['ratio']:.2f} | ≥ 0.9 |"
        )
    if c := results.get("catalog"):
        lines.append(f"| three built-in drills in a row | {c['wall_s']:.0f} s | — | — | ≤ 180 s |")
        for name, d in c["per_drill"].items():
            lines.append(
                f"| {name}: harness CPU, peak memory; load process CPU | {d['harness_cpu_s']:.1f} s "
                f"({d['harness_cpu_share']:.0%} of a core), {d['harness_peak_rss_mib']:.0f} MiB; "
                f"{d['load_cpu_s']:.1f} s | — | — | — |"
            )
    if n := results.get("nightly"):
        lines.append(
            f"| the nightly game day ({n['drills']} drills) | {n['wall_s']:.0f} s, {n['counts']} | — | — | all pass |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true", help="shorter outages, fewer rounds, no nightly game day")
    parser.add_argument("--only", action="append", metavar="FIGURE", help="accuracy, provision, load, catalog, nightly")
    args = parser.parse_args()
    os.environ.setdefault("DRILLBOOK_HISTORY", str(ROOT / "out" / "bench-history.db"))
    client = engine.connect()
    images.ensure(client, list(recipes.RECIPES))
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "docker": client.version().get("Version", "?"),
        },
        "date": time.strftime("%Y-%m-%d"),
    }
    holds = (1.0, 5.0) if args.quick else (1.0, 5.0, 7.3, 20.0)
    steps: list[tuple[str, Callable[[pathlib.Path], Any]]] = [
        ("accuracy", lambda tmp: accuracy(tmp, holds, 1 if args.quick else 3)),
        ("provision", lambda tmp: provision(tmp, 1 if args.quick else 3)),
        ("load", lambda tmp: load_capacity(5.0 if args.quick else 15.0)),
        ("catalog", catalog),
    ]
    if not args.quick:
        steps.append(("nightly", nightly))
    if args.only:
        steps = [(name, step) for name, step in steps if name in args.only]
    with tempfile.TemporaryDirectory(prefix="drillbook-bench-") as tmp:
        for name, step in steps:
            results[name] = step(pathlib.Path(tmp))
    found = misses(results)
    results["misses"] = found
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    TABLE.write_text(markdown(results))
    print(TABLE.read_text())
    for miss in found:
        say(f"MISSED: {miss}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
