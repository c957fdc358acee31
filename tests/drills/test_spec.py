"""The drill file at the edge: valid files load, invalid ones name field and line."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from drillbook.drills import resolve, spec
from drillbook.drills.campaigns.gameday_file import is_gameday
from drillbook.errors import PluginError, SpecError
from tests.conftest import inline_sample_target

CATALOG = pathlib.Path(__file__).resolve().parents[2] / "drills" / "catalog"

MINIMAL = """\
name: tiny
scenario:
  name: db_outage
"""


def write(tmp_path: pathlib.Path, text: str) -> pathlib.Path:
    path = tmp_path / "drill.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", sorted(p for p in CATALOG.glob("*.yaml") if not is_gameday(p)), ids=lambda p: p.name)
def test_catalog_drills_are_valid(path: pathlib.Path) -> None:
    loaded = spec.load(path)
    resolve.plugins(loaded)
    assert loaded.target.images


def test_defaults_fill_a_minimal_drill(tmp_path: pathlib.Path) -> None:
    loaded = spec.load(write(tmp_path, MINIMAL))
    assert loaded.model.objectives.tier == "customer-facing"
    assert loaded.model.recovery is None
    assert loaded.target.name == "sample"
    assert loaded.target.locustfile.is_file()


def test_unknown_field_is_named_with_its_line(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, MINIMAL + "load:\n  users: 2\n  ratee: 5\n")
    with pytest.raises(SpecError) as err:
        spec.load(path)
    assert f"{path}:6: load.ratee" in str(err.value)


def test_wrong_type_is_named_with_its_line(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, MINIMAL + "phases:\n  verify_window_s: soon\n")
    with pytest.raises(SpecError) as err:
        spec.load(path)
    assert f"{path}:5: phases.verify_window_s" in str(err.value)


def test_missing_scenario_is_reported(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match="scenario"):
        spec.load(write(tmp_path, "name: tiny\n"))


def test_broken_yaml_gives_line_and_column(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match=r"line 3, column"):
        spec.load(write(tmp_path, "name: tiny\nscenario:\n  name: a: b\n"))


def test_not_a_mapping(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match="mapping"):
        spec.load(write(tmp_path, "- just\n- a list\n"))


def test_unknown_target(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match="target 'nowhere'"):
        spec.load(write(tmp_path, MINIMAL + "target: nowhere\n"))


def test_unknown_scenario_names_the_known_ones(tmp_path: pathlib.Path) -> None:
    loaded = spec.load(write(tmp_path, "name: tiny\nscenario:\n  name: meteor_strike\n"))
    with pytest.raises(PluginError, match=r"meteor_strike.*db_outage"):
        resolve.plugins(loaded)


def test_bad_scenario_argument_is_caught_before_anything_runs(tmp_path: pathlib.Path) -> None:
    loaded = spec.load(write(tmp_path, "name: tiny\nscenario:\n  name: db_outage\n  with: {mode: explode}\n"))
    with pytest.raises(PluginError, match=r"mode='explode'.*'kill', 'stop', 'pause'"):
        resolve.plugins(loaded)
    loaded = spec.load(write(tmp_path, "name: tiny\nscenario:\n  name: db_outage\n  with: {force: 3}\n"))
    with pytest.raises(PluginError, match="does not accept"):
        resolve.plugins(loaded)


def test_bad_procedure_argument(tmp_path: pathlib.Path) -> None:
    text = MINIMAL + "recovery:\n  name: restart_database\n  with: {ready_timeout_s: fast}\n"
    with pytest.raises(PluginError, match=r"drill.yaml:6: .*ready_timeout_s=.fast.*takes a number"):
        resolve.plugins(spec.load(write(tmp_path, text)))


def test_inline_target_checks_its_references(tmp_path: pathlib.Path) -> None:
    (tmp_path / "load.py").write_text("")
    text = (
        MINIMAL
        + """\
target:
  name: mine
  app: web
  health: /health
  services:
    - {name: db, image: postgres:15, port: 5432, ready: {kind: postgres}}
  database: {service: db, user: u, password: p, dbname: d}
  load: {locustfile: load.py}
  data_check: {sql: "SELECT id FROM t WHERE id = ANY(%(ids)s)"}
"""
    )
    with pytest.raises(SpecError, match=r"target\.app names service 'web'"):
        spec.load(write(tmp_path, text))


def test_a_drill_changes_a_services_limits_without_a_copy_of_the_target(tmp_path: pathlib.Path) -> None:
    loaded = spec.load(CATALOG / "runaway-cpu.yaml")
    assert loaded.target.service("app").cpus == 0.5
    assert spec.load(CATALOG / "db-outage.yaml").target.service("app").cpus is None
    path = spec.write_variant(CATALOG / "db-outage.yaml", tmp_path, "x", services={"cache": {"cpus": 1}})
    with pytest.raises(SpecError, match="cache, which target 'sample' does not have"):
        spec.load(path)


def test_a_drills_environment_change_is_merged_into_the_services() -> None:
    app = spec.load(CATALOG / "connection-exhaustion.yaml").target.service("app")
    assert app.env["DB_POOL_MAX_LIFETIME_S"] == "3"
    assert app.env["DATABASE_URL"].startswith("postgresql://returns_app:")  # the rest stays


def test_a_fault_proxy_takes_the_services_host_name(tmp_path: pathlib.Path) -> None:
    target = spec.load(CATALOG / "slow-database.yaml").target
    names = [s.name for s in target.services]
    assert names.index("db-proxy") == names.index("db") + 1
    assert target.service("db").host == "db-upstream" and target.service("db-proxy").host == "db"
    assert target.service("db-proxy").env["UPSTREAM"] == "db-upstream:5432"
    assert target.service("app").host == "app"
    path = spec.write_variant(CATALOG / "slow-database.yaml", tmp_path, "x", fault_proxy={"service": "cache"})
    with pytest.raises(SpecError, match="`fault_proxy` fronts service 'cache'"):
        spec.load(path)


def test_a_volume_gets_a_size_of_its_own_only_if_mounted_and_sane(tmp_path: pathlib.Path) -> None:
    assert spec.load(CATALOG / "disk-full.yaml").target.service("db").volume_sizes == {"pgdata": 128 * 1024**2}
    for sizes, says in (
        ({"logs": "128m"}, "names volume 'logs'"),
        ({"pgdata": "12m"}, "between 64m and 64g"),
        ({"pgdata": "lots"}, "like 128m"),
    ):
        path = spec.write_variant(CATALOG / "disk-full.yaml", tmp_path, "x", services={"db": {"volume_sizes": sizes}})
        with pytest.raises(SpecError, match=says):
            spec.load(path)


def test_backups_become_services_and_environment_of_the_target() -> None:
    target = spec.load(CATALOG / "host-lost.yaml").target
    assert [s.name for s in target.services][:2] == ["db", "db-backup"]
    db, backup = target.service("db"), target.service("db-backup")
    assert db.env["ARCHIVE_DIR"] == "/backups/wal" and db.volumes["backups"] == "/backups"
    assert backup.env["DUMP_INTERVAL_S"] == "6" and backup.env["BASE_BACKUP"] == "1"
    assert target.backups.dump_interval_s == 6 and target.backups.wal_archive and target.backups.standby is None
    standby = spec.load(CATALOG / "primary-failure.yaml").target
    assert standby.backups.standby == "db-standby" and standby.service("db").env["SYNC_STANDBY"] == "standby"
    assert standby.service("db-standby").env["PRIMARY_HOST"] == "db"
    assert standby.service("db-standby").depends_on == {"db": "service_healthy"}


def test_backups_need_drillbooks_postgres(tmp_path: pathlib.Path) -> None:
    text = yaml.safe_load((CATALOG / "data-loss.yaml").read_text())
    target = inline_sample_target(tmp_path, lambda compose: compose["services"]["db"].update(image="postgres:15"))
    text["target"] = target
    path = tmp_path / "own.yaml"
    path.write_text(yaml.safe_dump(text))
    with pytest.raises(SpecError, match="needs drillbook's PostgreSQL image"):
        spec.load(path)


TRACKER_DRILLS = CATALOG.parents[1] / "tests" / "drills" / "tracker"


def test_the_tracker_target_gives_its_nested_id_post_flow_and_deploy_method() -> None:
    loaded = spec.load(TRACKER_DRILLS / "exit-at-start.yaml")
    resolve.plugins(loaded)
    target = loaded.target
    assert target.write_flows[0].id_field == "run.info.run_id"
    search = next(f for f in target.key_flows if f.name == "search runs")
    assert search.method == "POST" and search.body == '{"experiment_ids":["0"],"max_results":5}'
    assert target.deploy == "recreate" and loaded.model.phases.warmup_s == 3


def tracker_with(tmp_path: pathlib.Path, **changes: object) -> pathlib.Path:
    target = yaml.safe_load((CATALOG.parents[1] / "replicas" / "tracker" / "target.yaml").read_text())
    target["load"]["locustfile"] = str(CATALOG.parents[1] / "replicas" / "tracker" / "locustfile.py")
    target.update(changes)
    return write(tmp_path, yaml.safe_dump({"name": "t", "scenario": {"name": "bad_deploy"}, "target": target}))


@pytest.mark.parametrize("path", ["run..id", ".id", "run.", "a b", ""])
def test_an_id_field_that_is_no_path_is_refused_with_its_line(tmp_path: pathlib.Path, path: str) -> None:
    load = {"locustfile": "/x.py", "write_flows": [{"name": "w", "id_field": path, "fields": ["a"]}]}
    with pytest.raises(SpecError) as caught:
        spec.load(tracker_with(tmp_path, load=load))
    assert "target.load.write_flows.0.id_field" in str(caught.value) and "drill.yaml:" in str(caught.value)


def test_a_rolling_deploy_and_an_unknown_one(tmp_path: pathlib.Path) -> None:
    assert spec.load(tracker_with(tmp_path, desired_state={"deploy": "rolling"})).target.deploy == "rolling"
    with pytest.raises(SpecError) as caught:
        spec.load(tracker_with(tmp_path, desired_state={"deploy": "blue-green"}))
    assert "target.desired_state.deploy" in str(caught.value) and "'recreate' or 'rolling'" in str(caught.value)


def test_a_key_flow_body_must_be_json_object_or_array(tmp_path: pathlib.Path) -> None:
    flows = [{"name": "search", "method": "POST", "path": "/s", "body": "q=1"}]
    with pytest.raises(SpecError) as caught:
        spec.load(tracker_with(tmp_path, key_flows=flows))
    assert "target.key_flows.0.body" in str(caught.value)


DECLARED = """\
name: own-steps
scenario:
  name: cache-outage
  description: the payment provider's container dies
  expected_alerts: [high_error_rate]
  steps: [{docker: {service: payments, action: kill}}]
  revert: [{docker: {service: payments, action: start}}]
recovery:
  steps:
    - {name: start it, docker: {service: payments, action: start}}
    - {wait: {healthy: true}, timeout_s: 30}
"""


def test_declared_steps_load_and_resolve_to_a_fault_and_a_procedure(tmp_path: pathlib.Path) -> None:
    loaded = spec.load(write(tmp_path, DECLARED))
    scenario, procedure = resolve.plugins(loaded)
    assert scenario.name == "cache-outage" and scenario.expected_alerts == ("high_error_rate",)
    assert procedure is not None and [s.name for s in procedure.steps] == ["start it", "wait"]
    assert loaded.model.recovery is not None and loaded.model.recovery.name == "steps"


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        ("    - {name: two kinds, run: 'true', sql: {query: SELECT 1}}\n", 12, "exactly one kind"),
        ("    - {docker: {service: payments, action: explode}}\n", 12, "recovery.steps.2.docker.action"),
        ("    - {http: {path: no-slash}}\n", 12, "recovery.steps.2.http.path"),
    ],
)
def test_a_bad_declared_step_is_named_with_its_line(tmp_path: pathlib.Path, change: str, line: int, says: str) -> None:
    path = write(tmp_path, DECLARED + change)
    with pytest.raises(SpecError) as err:
        spec.load(path)
    assert f"{path}:{line}" in str(err.value) and says in str(err.value)


def test_a_declared_step_naming_a_service_the_target_lacks_is_refused(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        DECLARED.replace(
            "service: payments, action: start}}\n    - {wait", "service: cache, action: start}}\n    - {wait"
        ),
    )
    with pytest.raises(PluginError, match=r"drill.yaml:10: recovery step 1 \(start it\) names service 'cache'"):
        resolve.plugins(spec.load(path))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            MINIMAL.replace("name: db_outage", "name: db_outage\n  revert: [{run: 'true'}]"),
            "belong to a fault declared",
        ),
        (
            DECLARED.replace("expected_alerts: [high_error_rate]", "expected_alerts: [pager]"),
            "unknown alert rule 'pager'",
        ),
        (
            DECLARED.replace("  steps: [{docker", "  steps: [{procedure: {name: restart_database}}, {docker"),
            "cannot be a `procedure`",
        ),
        (MINIMAL + "recovery:\n  name: restart_database\n  steps: [{reconcile: {}}]\n", "one of the three"),
    ],
)
def test_declared_steps_that_contradict_themselves_are_refused(tmp_path: pathlib.Path, text: str, says: str) -> None:
    with pytest.raises(SpecError, match=re.escape(says)):
        spec.load(write(tmp_path, text))


def test_a_target_file_extends_another_with_sections_of_its_own(tmp_path: pathlib.Path) -> None:
    loaded = spec.load(CATALOG / "cache-outage.yaml")
    assert loaded.target.name == "sample-cache" and loaded.target.service("cache").image == "drillbook/redis:7"
    assert loaded.target.service("app").env["CACHE_URL"] == "redis://cache:6379/0"
    assert spec.load(CATALOG / "db-outage.yaml").target.service("app").env.get("CACHE_URL", "") == ""
    (tmp_path / "mine.yaml").write_text("extends: nowhere\nname: x\n")
    drill = tmp_path / "drill.yaml"
    drill.write_text("name: d\ntarget: mine.yaml\nscenario: {name: db_outage}\n")
    with pytest.raises(SpecError, match=r"mine\.yaml: `extends: 'nowhere'` names neither a built-in target"):
        spec.load(drill)


@pytest.mark.parametrize(
    ("engine", "says"),
    [
        ({"kind": "swarm", "nodes": 6}, "engine.nodes"),
        ({"kind": "swarm", "nodes": 2, "managers": 3}, "3 managers do not fit in 2 nodes"),
        ({"kind": "swarm", "nodes": 2, "replicas": 3}, "3 replicas of the app need 3 nodes"),
        ({"kind": "swarm", "nodes": 3, "managers": 1, "first_leader": "node2"}, "first_leader node2 is not a manager"),
        ({"kind": "swarm", "first_leader": "node9"}, "engine.first_leader"),
        ({"kind": "kubernetes"}, "engine.kind"),
    ],
)
def test_an_engine_that_cannot_be_made_is_refused_with_its_line(
    tmp_path: pathlib.Path, engine: dict[str, object], says: str
) -> None:
    path = spec.write_variant(CATALOG / "node-lost.yaml", tmp_path, "engine", engine=engine)
    with pytest.raises(SpecError, match=re.escape(says)) as caught:
        spec.load(path)
    assert "engine.yaml:" in str(caught.value)


@pytest.mark.parametrize(
    ("section", "value", "says"),
    [
        ("backups", {"dump": {"interval_s": 5}}, "`backups` on `engine: {kind: swarm}` is a `standby` only"),
        ("fault_proxy", {"service": "db"}, "`fault_proxy` (the fault proxy) runs on the single Docker engine only"),
        ("recovery", {"runbook": {"file": "runbook.md", "section": "y"}}, "a runbook recovery runs in the toolbox"),
    ],
)
def test_what_the_swarm_engine_does_not_run_is_refused_before_anything_starts(
    tmp_path: pathlib.Path, section: str, value: object, says: str
) -> None:
    doc = yaml.safe_load((CATALOG / "node-lost.yaml").read_text())
    doc[section] = value  # the whole section: a runbook recovery instead of the procedure
    path = tmp_path / "unsupported.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(SpecError, match=re.escape(says)):
        spec.load(path)
