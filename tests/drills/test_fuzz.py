"""Bad input everywhere: generated drill files and argument lists never end in a traceback."""

from __future__ import annotations

import pathlib
import tempfile
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drillbook.drills import resolve, spec
from drillbook.drills.cli import main
from drillbook.errors import DrillbookError, ExitCode
from tests.conftest import CATALOG

pytestmark = pytest.mark.slow  # property tests of hundreds of examples: make test runs them, make unit does not

KEYS = [
    "name",
    "description",
    "target",
    "load",
    "probes",
    "phases",
    "steady_state",
    "windows",
    "verify",
    "alerts",
    "scenario",
    "recovery",
    "objectives",
    "allow_remote",
    "with",
    "hold_s",
    "users",
    "rate",
    "timeout_s",
    "interval_s",
    "verify_window_s",
    "time_scale",
    "tier",
    "mode",
    "services",
    "image",
    "rto_s",
    "steps",
    "revert",
    "expected_alerts",
    "docker",
    "run",
    "sql",
    "http",
    "retry",
    "expect",
    "runbook",
    "values",
    "section",
    "file",
    "role",
    "hosts",
    "engine",
    "kind",
    "nodes",
    "managers",
    "replicas",
    "heartbeat_s",
    "first_leader",
    "how",
]
WORDS = [
    "db_outage",
    "restart_database",
    "kill",
    "pause",
    "stop",
    "sample",
    "customer-facing",
    "admin",
    "x",
    "db",
    "start",
    "swarm",
    "node_lost",
    "swarm_reschedule",
    "node2",
    "node3",
    "node9",
    "daemon",
    "link",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=6),
    ),
    max_leaves=25,
)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)


def attempt(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "drill.yaml"
        path.write_text(text)
        try:
            resolve.plugins(spec.load(path))
        except DrillbookError as exc:
            assert str(exc).strip(), "every error carries a message"


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_generated_documents_give_a_spec_or_a_message(doc: dict[str, Any]) -> None:
    attempt(yaml.safe_dump(doc, allow_unicode=True))


@settings(max_examples=250, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_gives_a_spec_or_a_message(text: str) -> None:
    attempt(text)


@settings(max_examples=250, deadline=None)
@given(st.sampled_from(["scenario", "load", "phases", "objectives", "recovery", "target", "engine"]), values)
def test_one_bad_section_in_a_good_drill(section: str, value: object) -> None:
    doc = yaml.safe_load((CATALOG / "db-outage.yaml").read_text())
    doc[section] = value
    attempt(yaml.safe_dump(doc, allow_unicode=True))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["engine", "scenario", "recovery", "backups", "monitoring", "fault_proxy"]), values)
def test_one_bad_section_in_a_good_swarm_drill(section: str, value: object) -> None:
    doc = yaml.safe_load((CATALOG / "node-lost.yaml").read_text())
    doc[section] = value
    attempt(yaml.safe_dump(doc, allow_unicode=True))


VOCABULARY = [
    "list",
    "validate",
    "plan",
    "run",
    "report",
    "cleanup",
    "images",
    "schema",
    "result",
    "runbook",
    "check",
    "--section",
    "--host",
    "--value",
    "--out",
    "--drill",
    "--include-running",
    "--allow-remote",
    "--format",
    "md",
    "-h",
    "--help",
    "--",
    "-",
    str(CATALOG / "db-outage.yaml"),
    "/nonexistent.yaml",
    "/tmp",
    ".",
]
arguments = st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=12)), max_size=6)


@pytest.fixture(autouse=True)
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """No generated command may reach a real engine: run, cleanup and images fail cleanly."""
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arguments)
def test_generated_argument_lists_exit_cleanly(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code = main(args)
    assert code in {c.value for c in ExitCode}
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
