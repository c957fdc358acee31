"""Every subcommand against hostile input: one paragraph and exit 2, never a traceback or a hang.

Each case runs `drillbook.cli.main` in a forked child of this process (drillbook is
imported once; a fresh interpreter per case would cost a second), with a CPU limit and an alarm,
standard input from /dev/null, its own working folder, and no Docker engine
(`DOCKER_HOST` points at a socket that does not exist, so a valid `run` ends in the
"no Docker engine" refusal). The parent reads the child's exit status, its output
and its peak resident memory from `wait4`, and checks that nothing was left in the
case's folder. Eighty cases then run as real subprocesses of the installed
command. Cases are generated from a fixed seed, so a failure is reproducible.
"""

from __future__ import annotations

import codecs
import json
import os
import pathlib
import random
import resource
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import docker
import pytest
import yaml

from drillbook.drills.cli import main
from tests.conftest import CATALOG, GUIDE, ROOT, drillbook_objects
from tests.reports.sample_result import document as sample_document

pytestmark = pytest.mark.slow

HANG_S = 5
"""A case that spends this much CPU has hung (a loop that never ends)."""
BLOCKED_S = 30
"""A case still running after this long, its CPU spent or not, has hung (a wait that never ends).
The two apart: `make test` runs this beside real drills on two cores, where a case that needs a
second of CPU may wait several for it."""
MAX_RSS_KIB = 500 * 1024
NO_ENGINE = "unix:///nonexistent/drillbook-fuzz/docker.sock"
DB_OUTAGE = (CATALOG / "db-outage.yaml").read_text()
TRACKER = ROOT / "replicas" / "tracker" / "target.yaml"
EXITS = {0, 1, 2}
"""0 and 1 for what is valid (list, a valid drill validated, a plan); 130 never: nothing interrupts."""


@dataclass
class Case:
    argv: list[str]
    files: dict[str, bytes]
    """Files to create in the case's folder before it runs (name → content)."""
    special: str = ""
    """A path kind to make instead: fifo, folder."""
    describe: str = ""


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    rss_kib: int
    hung: bool
    left: list[str]


# --- what goes in ----------------------------------------------------------------

MARKUP = ["[/]", "[/bold]", "[red]", "drill[red]", "[a-z0-9]", "[link=file:///etc]x[/link]", "\\[", "[", "]"]
NONFINITE = [".inf", "-.inf", ".nan", "1e309", ".NaN", "-1e999"]
NUMERIC_FIELDS = [
    ("objectives", "rto_s"),
    ("objectives", "rpo_s"),
    ("phases", "max_duration_s"),
    ("phases", "verify_window_s"),
    ("phases", "steady_state_s"),
    ("phases", "warmup_s"),
    ("scenario", "hold_s"),
    ("load", "rate"),
    ("load", "timeout_s"),
    ("probes", "interval_s"),
    ("alerts", "time_scale"),
]


def _drill(_rng: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(DB_OUTAGE)
    return doc


def _alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "name: bomb\nscenario: {name: db_outage}\n" + "\n".join(lines) + "\n"


BAD_STEPS: list[object] = [
    {},
    {"name": "two kinds", "run": "true", "sql": {"query": "SELECT 1"}},
    {"docker": {"service": "db", "action": "explode"}},
    {"docker": {"service": "cache", "action": "kill"}},
    {"exec": {"service": "app", "command": []}},
    {"http": {"path": "no-slash", "method": "FETCH"}},
    {"sql": {"query": ""}, "expect": "one"},
    {"run": "./missing.sh"},
    {"run": "true", "timeout_s": ".inf"},
    {"run": "true", "retry": {"until_s": -1}},
    {"git": {"revert": "yesterday"}},
    {"git": {"revert": "last_deploy", "commit": {"message": "both"}}},
    {"git": {"commit": {"message": "deploy", "image": {"ghost": "x:1"}}}},
    {"procedure": {"name": "no_such_procedure"}},
    {"procedure": {"name": "restart_database", "with": {"ready_timeout_s": "soon"}}},
    {"wait": {"healthy": "yes"}},
    "restart the database",
    [{"run": "true"}],
]


PG = "  pg: {image: 'drillbook/postgres:15', environment: {POSTGRES_PASSWORD: '${DB_PASSWORD}'}}\n"
COMPOSE_CASES: list[tuple[str, str]] = [
    ("host networking", "services:\n  api: {image: x, ports: ['80'], network_mode: host}\n" + PG),
    ("privileged", "services:\n  api: {image: x, ports: ['80'], privileged: true}\n" + PG),
    ("a bind outside", "services:\n  api: {image: x, ports: ['80'], volumes: ['/etc:/etc']}\n" + PG),
    ("an unknown key", "services:\n  api: {image: x, ports: ['80'], frobnicate: 1}\n" + PG),
    ("a required variable", "services:\n  api: {image: 'x:${TAG:?set TAG}', ports: ['80']}\n" + PG),
    ("an unclosed variable", "services:\n  api: {image: 'x:${TAG', ports: ['80']}\n" + PG),
    (
        "an external volume",
        "services:\n  api: {image: x, ports: ['80'], volumes: ['v:/v']}\n" + PG + "volumes: {v: {external: true}}\n",
    ),
    ("no app port", "services:\n  api: {image: x}\n" + PG),
    ("no postgres", "services:\n  api: {image: x, ports: ['80']}\n"),
    ("extends loop", "services:\n  api: {extends: pg, image: x, ports: ['80']}\n  pg: {extends: api, image: y}\n"),
    ("a port range", "services:\n  api: {image: x, ports: ['80-90']}\n" + PG),
    ("a list", "- services\n"),
    ("valid", "services:\n  api: {image: 'drillbook/returns-service:1.0.0', ports: ['8080']}\n" + PG),
]


GUIDE_TEXT = GUIDE.read_bytes()
RUNBOOKS: list[tuple[str, bytes]] = [
    ("the team's guide", GUIDE_TEXT),
    ("empty", b""),
    ("no heading", b"```bash\ncurl -f https://returnit.online/api/health\n```\n"),
    ("an unclosed fence", b"# A\n```bash\ncurl -f https://returnit.online/api/health\n"),
    ("only typescript", b"# A\n```typescript\nconst x = 1;\n```\n"),
    ("prose only", b"# A\n```\nEmail: x@y\n- a list\n```\n"),
    ("an unbalanced quote", b'# A\n```bash\npsql -c "SELECT 1;\n```\n'),
    ("markup headings", b"# [/]\n```bash\necho [red]\n```\n"),
    ("latin-1", "# Caf\u00e9\n```bash\necho caf\u00e9\n```\n".encode("latin-1")),
    ("utf-16", "# A\n```bash\ntrue\n```\n".encode("utf-16")),
    ("nested headings", b"".join(b"#" * (i % 7 + 1) + b" h%d\n" % i for i in range(3000))),
    ("a heredoc never ended", b"# A\n```bash\ncat <<EOF\nnever ended\n```\n"),
]


TEAM_RULES = (CATALOG / "monitoring" / "returns-alerts.yml").read_bytes()
TEAM_ROUTES = (CATALOG / "monitoring" / "alertmanager.yml").read_bytes()
RULES_TEXTS = [
    ("valid rules", TEAM_RULES),
    ("an expression that does not parse", b"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(up[5m]\n"),
    ("a duration Prometheus does not know", TEAM_RULES.replace(b"for: 1m", b"for: 1.5m")),
    ("a huge for", TEAM_RULES.replace(b"for: 1m", b"for: 99999999999999y")),
    ("rules, a list", b"- alert: A\n"),
    ("rules, empty", b""),
    ("rules, not YAML", b"groups: [unclosed\n"),
    ("rules, alias bomb", _alias_bomb(8).encode()),
    ("rules, UTF-16", codecs.BOM_UTF16_LE + "groups: []\n".encode("utf-16-le")),
    ("rules, NUL", TEAM_RULES[:40] + b"\x00" + TEAM_RULES[40:]),
    ("rules, markup", TEAM_RULES.replace(b"ReturnsApiSlow", b"[/bold]")),
]
ROUTES_TEXTS = [
    ("valid routes", TEAM_ROUTES),
    ("routes to an undefined receiver", TEAM_ROUTES.replace(b"- name: returns-tickets", b"- name: elsewhere")),
    ("no route", b"receivers: [{name: a}]\n"),
    ("routes, a list", b"- route\n"),
    ("routes, a duration of nothing", TEAM_ROUTES.replace(b"group_wait: 30s", b"group_wait: soon")),
    ("routes, bytes", bytes(range(256))),
]


def _monitoring_drill(rng: random.Random) -> tuple[str, dict[str, bytes]]:
    """A drill with the team's monitoring, its rules, routes or section wrong in one way (or right)."""
    doc = _drill(rng)
    what_rules, rules = rng.choice(RULES_TEXTS)
    what_routes, routes = rng.choice(ROUTES_TEXTS)
    section: dict[str, Any] = {
        "rules": "alerts.yml",
        "alertmanager": "am.yml",
        "scrape": [{"service": "app", "port": 8080}],
    }
    change, value = rng.choice(
        [
            ("none", None),
            ("scrape", [{"service": rng.choice(["api", "[/]", ""]), "port": 9100}]),
            ("scrape", [{"service": "app", "port": rng.choice([0, 70000, "http", ".nan"])}]),
            ("scrape", [{"service": "app", "port": 8080, "path": "metrics"}]),
            ("expect", [rng.choice(["ReturnsDiskFull", "[/]", ""])]),
            ("scrape_interval", rng.choice(["fast", "-1s", "0.5s", ""])),
            ("rules", rng.choice(["missing.yml", ".", "[/].yml", "/dev/zero"])),
            ("alertmanager", rng.choice(["missing.yml", "."])),
        ]
    )
    if change != "none":
        section[change] = value
    doc["monitoring"] = section
    doc["detect"] = {"by": rng.choice(["monitoring", "drillbook", "pagerduty"])}
    if rng.random() < 0.1:
        del doc["monitoring"]
    files = {"drill.yaml": yaml.safe_dump(doc).encode(), "alerts.yml": rules, "am.yml": routes}
    return f"monitoring: {what_rules}, {what_routes}, {change}={value!r}", files


def _runbook_drills(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Drills whose recovery is a runbook section, each wrong in one way (or right)."""
    for recovery in (
        {"runbook": {"file": "book.md", "section": rng.choice(["A", "Application Rollback", "[/]", ""])}},
        {"runbook": {"file": "missing.md", "section": "A"}},
        {"runbook": {"file": "book.md", "section": "A", "timeout_s": rng.choice([".inf", -1, "soon"])}},
        {"runbook": {"file": "book.md", "section": "A"}, "values": {"x": rng.choice(["{nope}", "{", 3])}},
        {"runbook": {"file": "book.md", "section": "A", "role": {"user": ""}}},
        {"runbook": {"file": "book.md"}, "name": "git_rollback"},
        {"name": "git_rollback", "values": {"a": "b"}},
    ):
        doc = _drill(rng)
        doc["recovery"] = recovery
        yield f"runbook recovery {recovery!r}", yaml.safe_dump(doc).encode()


def _declared_steps(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Declared recoveries and faults, each wrong in one way."""
    bad = rng.choice(BAD_STEPS)
    doc = _drill(rng)
    doc["recovery"] = {"steps": [{"docker": {"service": "db", "action": "start"}}, bad]}
    yield f"recovery step {bad!r}", yaml.safe_dump(doc).encode()
    doc = _drill(rng)
    doc["scenario"] = {
        "name": "own-fault",
        "steps": [bad],
        "revert": [{"docker": {"service": "db", "action": "start"}}],
    }
    yield f"fault step {bad!r}", yaml.safe_dump(doc).encode()
    doc = _drill(rng)
    doc["scenario"] = rng.choice(
        [
            {"name": "own-fault", "steps": [], "revert": []},
            {"name": "own-fault", "steps": [{"run": "true"}], "with": {"mode": "kill"}},
            {"name": "own-fault", "steps": [{"procedure": {"name": "restart_database"}}]},
            {"name": "own-fault", "steps": [{"run": "true"}], "expected_alerts": ["pager"]},
            {"name": "db_outage", "revert": [{"run": "true"}]},
        ]
    )
    doc["recovery"] = rng.choice([{"name": "restart_database", "steps": [{"reconcile": {}}]}, {"steps": []}, {}])
    yield "declared fault and recovery that contradict themselves", yaml.safe_dump(doc).encode()


def _yaml_texts(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Drill-shaped files, each wrong in one way (or right)."""
    good = DB_OUTAGE
    yield "valid", good.encode()
    yield "bom-utf8", codecs.BOM_UTF8 + good.encode()
    for enc in ("utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252"):
        yield f"encoding {enc}", (good + "description: café ünïcode\n").encode(enc, errors="replace")
    yield "alias bomb", _alias_bomb(rng.randint(6, 9)).encode()
    yield "small aliases", b"name: x\nscenario: &s {name: db_outage}\nrecovery: *s\n"
    depth = rng.choice([70, 500, 5000, 100_000])
    yield f"nested [ x{depth}", ("[" * depth + "]" * depth).encode()
    yield f"unclosed [ x{depth}", ("[" * depth).encode()
    yield f"nested mappings x{depth // 10}", ("a: {" * (depth // 10) + "}" * (depth // 10)).encode()
    section, field = rng.choice(NUMERIC_FIELDS)
    value = rng.choice(NONFINITE)
    doc = _drill(rng)
    yield f"{section}.{field}: {value}", (yaml.safe_dump(doc) + f"{section}: {{{field}: {value}}}\n").encode()
    yield "duplicate key", (good + f"name: {rng.choice(['again', 'db-outage'])}\n").encode()
    yield "duplicate nested key", b"name: x\nscenario:\n  name: db_outage\n  name: db_outage\n"
    markup = rng.choice(MARKUP)
    doc = _drill(rng)
    doc[rng.choice(["name", "description"])] = markup
    yield f"markup {markup}", yaml.safe_dump(doc).encode()
    doc = _drill(rng)
    doc["scenario"] = {"name": rng.choice([*MARKUP, "no_such_fault", "db_outage"]), "with": {"mode": markup}}
    yield "markup in the scenario", yaml.safe_dump(doc).encode()
    doc = _drill(rng)
    doc["scenario"]["with"] = rng.choice(
        [
            {"service": {"name": "db"}},
            {"mode": ["kill"]},
            {"mode": {"kill": 1}},
            {"connections": "many"},
            {"size_mb": [1]},
            {"seconds": float("nan")},
            {"mode": None},
        ]
    )
    yield f"scenario arguments {doc['scenario']['with']}", yaml.safe_dump(doc).encode()
    doc = _drill(rng)
    doc["recovery"] = {"name": "restart_database", "with": rng.choice([{"ready_timeout_s": ".inf"}, {"x": 1}, []])}
    yield "recovery arguments", yaml.safe_dump(doc).encode()
    doc = _drill(rng)
    doc["target"] = rng.choice(["sample", "nope.yaml", "[/]", {"name": "x"}, "../../../../etc/passwd", "/dev/zero"])
    yield f"target {doc['target']!r}", yaml.safe_dump(doc).encode()
    target = yaml.safe_load(TRACKER.read_text())
    target["load"]["locustfile"] = str(TRACKER.parent / target["load"]["locustfile"])
    choices: list[tuple[str, object]] = [
        ("id_field", rng.choice(["", "run..id", ".id", "run.info.", "a b", ["run"], 7])),
        ("body", rng.choice(["x", 3, True, ".inf"])),
        ("method", rng.choice(["FETCH", "post", ""])),
        ("deploy", rng.choice(["blue-green", "", None, ["rolling"]])),
        (
            "websocket",
            rng.choice(
                [
                    {"service": "nope", "path": "/ws"},
                    {"service": target["app"], "path": "ws"},
                    {"service": target["app"], "path": "/ws", "clients": 0},
                    {"service": target["app"], "path": "/ws", "silence_s": ".inf"},
                    {"path": "/ws"},
                    "yes",
                ]
            ),
        ),
    ]
    where, bad = rng.choice(choices)
    if where == "websocket":
        target["load"]["websocket"] = bad
    elif where == "id_field":
        target["load"]["write_flows"][0]["id_field"] = bad
    elif where == "deploy":
        target["desired_state"] = {"deploy": bad}
    else:
        target["key_flows"][0][where] = bad
    doc = _drill(rng)
    doc["target"] = target
    yield f"target {where} {bad!r}", yaml.safe_dump(doc).encode()
    yield from _declared_steps(rng)
    yield from _runbook_drills(rng)
    yield "a timestamp YAML cannot make", b"name: 2001-02-30\nscenario: {name: db_outage}\n"
    yield "tags", b"!!python/object:os.system {}\n"
    yield "a list", b"- name: x\n"
    yield "empty", b""
    yield "NUL", good.encode()[:50] + b"\x00" + good.encode()[50:]


def _bytes(rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    n = rng.choice([0, 1, 7, 100, 2000])
    if kind == 0:
        return rng.randbytes(n)
    if kind == 1:
        return bytes(rng.choice(b"{}[]:,-&*!|>'\"%@`#\n \t") for _ in range(n))
    if kind == 2:
        base = DB_OUTAGE.encode()
        cut = rng.randrange(len(base))
        return base[:cut] + rng.randbytes(rng.randint(1, 8)) + base[cut:]
    return "".join(rng.choice("aé€😀\u202e\ufeff\r\n:[]{}") for _ in range(n)).encode("utf-8", "surrogatepass")


def _gameday_texts(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    yield "valid game day", b"name: day\ndrills:\n  - drill: db-outage\n"
    yield "game day, unknown drill", b"name: day\ndrills:\n  - drill: no-such-drill\n"
    yield "game day, bad override", b"name: day\ndrills:\n  - drill: db-outage\n    overrides: {scenario: {name: zz}}\n"
    yield "game day, twice", b"name: day\ndrills:\n  - drill: db-outage\n  - drill: db-outage\n"
    yield "game day, tolerance nan", b"name: day\ndrills: [{drill: db-outage}]\ntolerance: {relative: .nan}\n"
    yield "game day, markup", b"name: day\ndescription: '[/bold]'\ndrills: [{drill: '[/]'}]\n"
    yield "game day, alias bomb", _alias_bomb(8).replace("scenario: {name: db_outage}", "drills: [x]").encode()


def _result_texts(rng: random.Random) -> Iterator[tuple[str, str, bytes]]:
    good = sample_document()
    yield "result.json", "valid result", json.dumps(good).encode()
    yield "result.json", "schema only", b'{"schema_version":"1"}'
    yield "result.json", "schema 3", json.dumps({**good, "schema_version": "3"}).encode()
    broken = json.loads(json.dumps(good))
    key = rng.choice(sorted(broken))
    broken[key] = rng.choice([None, [], {}, "x", 1e308, [1, [2]], {"a": {"b": None}}])
    yield "result.json", f"result with {key} broken", json.dumps(broken).encode()
    m = json.loads(json.dumps(good))
    m["measurements"] = {k: rng.choice([None, "x", [], 1]) for k in m["measurements"]}
    yield "result.json", "measurements of other types", json.dumps(m).encode()
    yield "result.json", "deep JSON", b"[" * 100_000 + b"]" * 100_000
    yield "result.json", "not JSON", rng.randbytes(100)
    yield "result.json", "a list", b"[1, 2, 3]"
    yield "journal.jsonl", "journal with a list line", b'{"type":"header","drill":"x"}\n[1,2]\n'
    yield "journal.jsonl", "journal, event of other types", b'{"type":"header"}\n{"type":"event","t":"x"}\n'
    yield "journal.jsonl", "journal, odd end", b'{"type":"header","drill":"x"}\n{"type":"end","verdict":[1]}\n'
    yield "journal.jsonl", "journal, header only", b'{"type":"header","drill":"x","time_scale":"fast"}\n'
    yield "journal.jsonl", "journal, bytes", rng.randbytes(300)


def _odd_path(rng: random.Random) -> tuple[str, str]:
    """(path, kind) for a place that is not a good file: the case makes fifo and folder kinds."""
    return rng.choice(
        [
            ("fifo.yaml", "fifo"),
            ("folder.yaml", "folder"),
            ("/dev/zero", ""),
            ("/dev/null", ""),
            ("/proc/self/mem", ""),
            ("missing/parent/drill.yaml", ""),
            ("drill[red].yaml", ""),
            ("[/].yaml", ""),
            ("nul\x00byte.yaml", ""),
            ("", ""),
            ("-", ""),
        ]
    )


def cases(seed: int, count: int) -> list[Case]:
    rng = random.Random(seed)
    made: list[Case] = []
    commands: list[Callable[[], Case]] = []

    def drill_command(name: str, data: bytes, what: str) -> Case:
        command = rng.choice(["validate", "plan", "run", "rehearse", "gameday"])
        argv = {
            "validate": ["validate", name],
            "plan": ["plan", "--offline", name],
            "run": ["run", name, "--out", rng.choice(["out", "existing.txt", "missing/deeper/out", "[/]"])],
            "rehearse": ["rehearse", name, *rng.choice([[], ["--timeout", rng.choice(["nan", "inf", "-1", "5"])]])],
            "gameday": ["gameday", name, "--out", rng.choice(["out", "existing.txt"])],
        }[command]
        return Case(argv, {name: data, "existing.txt": b"x"}, describe=f"{command}: {what}")

    def yaml_case() -> Case:
        what, data = rng.choice(list(_yaml_texts(rng)))
        return drill_command(rng.choice(["drill.yaml", "drill[red].yaml", "[/].yaml"]), data, what)

    def bytes_case() -> Case:
        return drill_command("drill.yaml", _bytes(rng), "generated bytes")

    def gameday_case() -> Case:
        what, data = rng.choice(list(_gameday_texts(rng)))
        command = rng.choice(["gameday", "validate"])
        argv = ["gameday", "day.yaml", "--out", "out"] if command == "gameday" else ["validate", "day.yaml"]
        return Case(argv, {"day.yaml": data}, describe=f"{command}: {what}")

    def path_case() -> Case:
        path, kind = _odd_path(rng)
        command = rng.choice(["validate", "plan", "run", "gameday", "report", "rehearse"])
        argv = {
            "validate": ["validate", path],
            "plan": ["plan", "--offline", path],
            "run": ["run", path, "--out", "out"],
            "gameday": ["gameday", path, "--out", "out"],
            "report": ["report", path],
            "rehearse": ["rehearse", path],
        }[command]
        return Case(argv, {}, special=kind, describe=f"{command}: odd path {path!r}")

    def report_case() -> Case:
        name, what, data = rng.choice(list(_result_texts(rng)))
        out = rng.choice([[], ["-o", "report.out"], ["-o", "."], ["-o", "missing/r.html"], ["-o", "existing.txt"]])
        fmt = rng.choice([[], ["--format", rng.choice(["md", "html", "junit", "postmortem", "pdf", "[/]"])]])
        return Case(["report", name, *fmt, *out], {name: data, "existing.txt": b"x"}, describe=f"report: {what}")

    def history_case() -> Case:
        db = rng.choice(["h.db", "existing.txt", "missing/h.db", "folder"])
        extra = rng.choice(
            [
                [],
                ["--limit", rng.choice(["99999999999999999999", "-1", "0", "nan", "3"])],
                ["--html", rng.choice(["page.html", "missing/page.html", ".", "[/].html"])],
                ["--metrics", rng.choice(["drills.prom", "missing/drills.prom", ".", "existing.txt", "[/].prom"])],
                ["--drill", rng.choice(MARKUP)],
            ]
        )
        files = {"existing.txt": rng.randbytes(64)}
        return Case(
            ["history", "--history", db, *extra],
            files,
            special="folder" if db == "folder" else "",
            describe=f"history {db} {extra}",
        )

    def compose_case() -> Case:
        """`init` and a drill whose target is a Compose file, the file wrong in one way."""
        what, text = rng.choice(COMPOSE_CASES)
        files = {"compose.yaml": text.encode(), "existing.txt": b"x", ".env": b"DB_PASSWORD=pw-for-fuzz\n"}
        if rng.random() < 0.5:
            out = rng.choice(["drills", "existing.txt", "missing/deeper", "[/]"])
            return Case(
                ["init", "--compose", rng.choice(["compose.yaml", "nope.yaml", "existing.txt"]), "--out", out],
                files,
                describe=f"init: {what}",
            )
        target = {
            "compose": "compose.yaml",
            "app": "api",
            "health": "/h",
            "database": {"service": "pg"},
            "load": {"locustfile": "existing.txt"},
            "data_check": {"sql": "SELECT 1 AS id WHERE 1 = ANY(%(ids)s)"},
        }
        drill = {"name": "c", "target": target, "scenario": {"name": "db_outage"}}
        files["drill.yaml"] = yaml.safe_dump(drill).encode()
        return Case([rng.choice(["validate", "run"]), "drill.yaml"], files, describe=f"compose target: {what}")

    def runbook_case() -> Case:
        """`runbook check` on a hostile Markdown file, with hostile options."""
        what, data = rng.choice(RUNBOOKS)
        extra = rng.choice(
            [
                [],
                ["--section", rng.choice(["A", "Application Rollback", "[/]", "", "h2999"])],
                ["--host", rng.choice(["returnit.online=app", "x=redis", "noequals", "=app", "[/]=app"])],
                ["--value", rng.choice(["stable-commit-hash=abc", "novalue", "x="])],
                ["--timeout", rng.choice(["nan", "inf", "-1", "0", "3"])],
                ["--target", rng.choice(["sample", "tracker", "nope", "existing.txt", "[/]"])],
                ["--history", rng.choice(["h.json", "existing.txt", "missing/deeper/h.json", "."])],
            ]
        )
        out = rng.choice(["out", "existing.txt", "missing/deeper/out", "[/]"])
        name = rng.choice(["book.md", "[/].md", "missing.md"])
        argv = ["runbook", "check", name, "--out", out, *extra]
        if rng.random() < 0.1:
            argv = rng.choice([["runbook"], ["runbook", "frobnicate"], ["runbook", "check"]])
        return Case(argv, {"book.md": data, "[/].md": data, "existing.txt": b"x"}, describe=f"runbook check: {what}")

    def coverage_case() -> Case:
        """`coverage` or `readiness` over a drills folder holding one hostile file, with hostile options."""
        data = rng.choice(
            [
                (CATALOG / "db-outage.yaml").read_bytes(),
                b"name: x\nscenario: {name: no_such_scenario}\n",
                b"\xff\xfe\x00name",
                b"name: [unclosed\n",
                b"- a list\n",
                rng.randbytes(200),
            ]
        )
        # Always a --drills folder of the case's own: reading the whole catalog in each of
        # hundreds of forked cases costs minutes and proves nothing the unit tests do not.
        extra = [
            "--drills",
            rng.choice(["drills", "drills", "drills", "missing", "existing.txt", "[/]"]),
            *rng.choice(
                [[], ["--history", rng.choice(["h.db", "existing.txt", "missing/deeper/h.db", "."])], ["--json"]]
            ),
        ]
        files = {"drills/one.yaml": data, "existing.txt": b"x"}
        if rng.random() < 0.5:
            out = ["--out", rng.choice(["out", "existing.txt", "missing/deeper/out", "[/]", "."])]
            return Case(["readiness", *out, *extra], files, describe=f"readiness {out} {extra}")
        return Case(["coverage", *extra], files, describe=f"coverage {extra}")

    def shard_case() -> Case:
        """A game day planned, run as a shard or merged, with hostile plans, numbers and folders."""
        day = b"name: day\ndrills:\n  - drill: db-outage\n  - drill: bad-deploy\n"
        plan = rng.choice(
            [
                b'{"gameday": "day", "drills": ["db-outage", "bad-deploy"], "shards": [["db-outage"], ["bad-deploy"]],'
                b' "estimated_s": [0, 0], "basis": "counts"}',
                b'{"gameday": "other", "drills": ["x"], "shards": [["x"]], "estimated_s": [0], "basis": "counts"}',
                b"[1, 2]",
                b"{" * 5000,
                rng.randbytes(100),
            ]
        )
        shard_record = rng.choice([b'{"shard": {"plan": {}}, "drills": [{"name": "a"}]}', b"{}", b"[", b'{"shard": 3}'])
        files = {"day.yaml": day, "plan.json": plan, "s1/gameday.json": shard_record, "existing.txt": b"x"}
        argv = rng.choice(
            [
                ["gameday", "day.yaml", "--plan", rng.choice(["2", "0", "9", "-1", "two", "1e9"]), "--out", "p.json"],
                ["gameday", "day.yaml", "--plan", "2", "--out", rng.choice(["existing.txt/p.json", "p.txt", "."])],
                ["gameday", "day.yaml", "--shard", rng.choice(["1", "0", "-2", "x", "99"]), "--plan", "plan.json"],
                ["gameday", "day.yaml", "--shard", "1"],
                ["gameday", "merge", rng.choice(["s1", "missing", "existing.txt", "[/]"]), "--out", "merged"],
                ["gameday", "merge", "s1", "s1", "--out", rng.choice(["merged", "s1", "existing.txt"])],
                ["gameday", "merge"],
                ["gameday", "day.yaml", "other.yaml"],
            ]
        )
        return Case(argv, files, describe=" ".join(argv))

    def monitoring_case() -> Case:
        """A drill with a `monitoring:` section: the team's rules and routes are input too."""
        what, files = _monitoring_drill(rng)
        command = rng.choice(["validate", "plan", "run", "rehearse"])
        argv = {
            "validate": ["validate", "drill.yaml"],
            "plan": ["plan", "--offline", "drill.yaml"],
            "run": ["run", "drill.yaml", "--out", rng.choice(["out", "existing.txt"])],
            "rehearse": ["rehearse", "drill.yaml"],
        }[command]
        return Case(argv, {**files, "existing.txt": b"x"}, describe=f"{command}: {what}")

    def other_case() -> Case:
        argv = rng.choice(
            [
                ["list"],
                ["list", "--json"],
                ["cleanup"],
                ["cleanup", "--drill", rng.choice(MARKUP)],
                ["images", "--help"],
                ["images"],
                ["completion", rng.choice(["bash", "zsh", "fish", "[/]"])],
                ["schema", rng.choice(["drill", "result", "target", "[/]", ""])],
                ["schema"],
                ["--version"],
                [],
                [rng.choice(MARKUP)],
                ["run"],
                ["plan", "--wait", rng.choice(["nan", "inf", "0"]), "db-outage"],
                [rng.choice(["validate", "run", "plan"]), rng.choice(["db-outage", "no-such-built-in", "nightly"])],
            ]
        )
        return Case(argv, {}, describe=" ".join(argv))

    def cluster_case() -> Case:
        """`cleanup --clusters`: a folder of state files, each broken, foreign or not a file at all."""
        good = {
            "cluster_id": "abc123",
            "drill_id": "d",
            "owner": "nohost:1:1",
            "bridge": "dbkabc123",
            "subnet": "10.231.0.0/24",
            "folder": "/",
            "nodes": [],
        }
        key = rng.choice([*good, "extra"])
        value: object = rng.choice(["docker0", "eth0", "/", "../..", 7, None, [], {"a": 1}, "abc123"])
        content = rng.choice(
            [
                rng.randbytes(rng.randint(0, 200)),
                json.dumps({**good, key: value}).encode(),
                json.dumps({k: v for k, v in good.items() if k != key}).encode(),
                b"[]",
            ]
        )
        where = rng.choice(["clusters", "missing", "existing.txt"])
        return Case(
            ["cleanup", "--clusters", where],
            {"clusters/abc123/cluster.json": content, "existing.txt": b"x"},
            describe=f"cleanup --clusters {where}: a state file with {key}={value!r}",
        )

    commands = [yaml_case, yaml_case, bytes_case, gameday_case, path_case, report_case, history_case, compose_case]
    commands.append(cluster_case)
    commands.append(runbook_case)
    commands.append(coverage_case)
    commands.append(monitoring_case)
    commands.append(shard_case)
    commands.append(other_case)
    while len(made) < count:
        made.append(rng.choice(commands)())
    return made


# --- running one -------------------------------------------------------------------


def _prepare(case: Case, folder: pathlib.Path) -> set[str]:
    for name, data in case.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    for arg in case.argv:
        target = folder / arg if arg and "\x00" not in arg and not arg.startswith("/") else None
        if target is None or target.exists():
            continue
        if case.special == "fifo" and arg.endswith(".yaml"):
            os.mkfifo(target)
        elif case.special == "folder" and arg in ("folder.yaml", "folder"):
            target.mkdir()
    return _listing(folder)


def _listing(folder: pathlib.Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def run_forked(case: Case, folder: pathlib.Path) -> Outcome:
    before = _prepare(case, folder)
    out, err = folder.parent / f"{folder.name}.out", folder.parent / f"{folder.name}.err"
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 99
        try:
            os.chdir(folder)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            sys.stdin = open(0)  # noqa: SIM115 - the child's whole life
            sys.stdout = open(1, "w")  # noqa: SIM115
            sys.stderr = open(2, "w")  # noqa: SIM115
            resource.setrlimit(resource.RLIMIT_CPU, (HANG_S, HANG_S + 1))
            signal.alarm(BLOCKED_S)
            code = main(case.argv)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _pid, status, usage = os.wait4(pid, 0)
    hung = os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGALRM, signal.SIGXCPU, signal.SIGKILL)
    code = os.waitstatus_to_exitcode(status)
    after = _listing(folder)
    left = sorted(after - before)
    return Outcome(code, out.read_text(errors="replace"), err.read_text(errors="replace"), usage.ru_maxrss, hung, left)


def _judge(case: Case, outcome: Outcome) -> list[str]:
    problems = []
    what = f"{case.describe!r} argv={case.argv!r}"
    if outcome.hung:
        return [f"{what}: hung past {HANG_S} s of CPU or {BLOCKED_S} s in all"]
    if "Traceback" in outcome.out + outcome.err:
        problems.append(f"{what}: traceback\n{outcome.err[-1500:]}")
    if outcome.code not in EXITS:
        problems.append(f"{what}: exit {outcome.code}\n{outcome.err[-800:]}")
    if outcome.rss_kib > MAX_RSS_KIB:
        problems.append(f"{what}: peak memory {outcome.rss_kib // 1024} MiB")
    if outcome.code == 2:
        message = outcome.err.strip()
        if not message.startswith("drillbook:") and not outcome.out.startswith("usage:"):
            problems.append(f"{what}: exit 2 without a drillbook message: {outcome.err[-300:]!r}")
        left = [name for name in outcome.left if name != ".drillbook"]
        if left:
            problems.append(f"{what}: refused, but left {left}")
    return problems


@pytest.fixture(autouse=True)
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", NO_ENGINE)
    monkeypatch.delenv("DRILLBOOK_HISTORY", raising=False)


SEEDS = range(6)
"""1,200 forked cases in all: every case kind many times over (test_the_cases_cover_every_subcommand)."""


@pytest.mark.parametrize("seed", SEEDS)
def test_every_subcommand_refuses_hostile_input_cleanly(seed: int, tmp_path: pathlib.Path) -> None:
    """1,200 cases in all (6 seeds × 200), every subcommand, in forked children."""
    problems: list[str] = []
    for i, case in enumerate(cases(seed, 200)):
        folder = tmp_path / f"case{i}"
        folder.mkdir()
        problems += _judge(case, run_forked(case, folder))
    assert not problems, f"{len(problems)} of 200 cases misbehaved:\n" + "\n\n".join(problems[:10])


def test_a_case_that_never_stops_computing_is_called_hung(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hang check itself: a command stuck in a loop is stopped at its CPU limit and named."""

    def spins(argv: list[str]) -> int:
        while True:
            pass

    monkeypatch.setattr(sys.modules[__name__], "main", spins)
    (tmp_path / "case").mkdir()
    case = Case(["list"], {}, describe="a loop")
    assert _judge(case, run_forked(case, tmp_path / "case")) == [
        f"'a loop' argv=['list']: hung past {HANG_S} s of CPU or {BLOCKED_S} s in all"
    ]


def test_the_cases_cover_every_subcommand() -> None:
    seen = {c.argv[0] for seed in SEEDS for c in cases(seed, 200) if c.argv}
    assert seen >= {
        "list",
        "validate",
        "plan",
        "run",
        "gameday",
        "rehearse",
        "report",
        "history",
        "cleanup",
        "images",
        "completion",
        "schema",
        "init",
        "runbook",
        "coverage",
        "readiness",
        "--version",
    }


def test_the_teams_monitoring_files_are_fuzzed_too(tmp_path: pathlib.Path) -> None:
    """Every rules and routes text once, in a drill that is otherwise valid."""
    problems: list[str] = []
    rng = random.Random(7)
    for i, ((what_rules, rules), (what_routes, routes)) in enumerate(zip(RULES_TEXTS, ROUTES_TEXTS * 2, strict=False)):
        _what, files = _monitoring_drill(rng)
        files |= {"alerts.yml": rules, "am.yml": routes}
        folder = tmp_path / f"case{i}"
        folder.mkdir()
        case = Case(["validate", "drill.yaml"], files, describe=f"validate: {what_rules}, {what_routes}")
        problems += _judge(case, run_forked(case, folder))
    assert not problems, "\n\n".join(problems[:10])


def test_a_valid_run_ends_in_the_no_engine_refusal(tmp_path: pathlib.Path) -> None:
    outcome = run_forked(Case(["run", str(CATALOG / "db-outage.yaml"), "--out", "out"], {}), tmp_path)
    assert outcome.code == 2 and "Cannot reach the Docker engine" in outcome.err
    assert outcome.left == [], "nothing is written before the engine answers"


def _engine_objects() -> list[str]:
    """drillbook's objects on the real engine (the cases see none: their DOCKER_HOST is a dead socket)."""
    client = docker.from_env(environment={k: v for k, v in os.environ.items() if k != "DOCKER_HOST"})
    try:
        return [str(name) for name in drillbook_objects(client)]
    finally:
        client.close()


@pytest.mark.docker
@pytest.mark.beside
def test_the_installed_command_refuses_the_same_cases() -> None:
    """Eighty of the cases as real processes of the installed `drillbook` (each pays the command's
    start-up of about a second: the forked cases cover the rest)."""
    objects_before = _engine_objects()
    command = pathlib.Path(sys.executable).parent / "drillbook"
    assert command.exists(), f"{command}: make venv installs the command"
    problems = []
    picked = cases(1000, 80)
    with tempfile.TemporaryDirectory() as tmp:
        running: list[tuple[Case, pathlib.Path, set[str], subprocess.Popen[bytes]]] = []
        env = {**os.environ, "DOCKER_HOST": NO_ENGINE, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DRILLBOOK_HISTORY", None)
        for i, case in enumerate(picked):
            folder = pathlib.Path(tmp) / f"case{i}"
            folder.mkdir()
            if any("\x00" in a for a in case.argv):
                continue  # exec cannot pass a NUL byte; the forked cases cover it
            before = _prepare(case, folder)
            proc = subprocess.Popen(
                [str(command), *case.argv],
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
            running.append((case, folder, before, proc))
            if len(running) >= 4:
                problems += _finish(*running.pop(0))
        while running:
            problems += _finish(*running.pop(0))
    assert not problems, f"{len(problems)} cases misbehaved:\n" + "\n\n".join(problems[:10])
    assert _engine_objects() == objects_before, "no case created a Docker object"


def _finish(case: Case, folder: pathlib.Path, before: set[str], proc: subprocess.Popen[bytes]) -> list[str]:
    try:
        out, err = proc.communicate(timeout=BLOCKED_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return [f"{case.describe!r}: the installed command hung"]
    left = sorted(_listing(folder) - before)
    outcome = Outcome(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), 0, False, left)
    return _judge(case, outcome)
