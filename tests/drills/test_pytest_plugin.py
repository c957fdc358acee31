"""Drills from a team's pytest suite: the `drillbook` fixture and `pytest --drills DIR`, in sessions of their own."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import CATALOG

pytestmark = pytest.mark.slow  # pytest sessions of their own, a few seconds each: make test runs them

PHASES = {"steady_state_s": 3, "verify_window_s": 4}


def drill(pytester: pytest.Pytester, name: str, folder: str = "drills", **changes: object) -> None:
    doc = yaml.safe_load((CATALOG / "db-outage.yaml").read_text())
    doc.update(name=name, **changes)
    (pytester.path / folder).mkdir(exist_ok=True)
    (pytester.path / folder / f"{name}.yaml").write_text(yaml.safe_dump(doc))


def test_drill_files_are_collected_as_items_and_game_days_are_not(pytester: pytest.Pytester) -> None:
    drill(pytester, "first")
    drill(pytester, "second")
    (pytester.path / "drills" / "nightly.yaml").write_text("name: nightly\ndrills: [first.yaml]\n")
    done = pytester.runpytest_subprocess("--drills", "drills", "--collect-only", "-q")
    assert "drills/first.yaml::first" in done.stdout.str() and "drills/second.yaml::second" in done.stdout.str()
    assert "nightly" not in done.stdout.str()


def test_a_drill_that_cannot_run_errors_its_item_with_the_paragraph(pytester: pytest.Pytester) -> None:
    drill(pytester, "typo", scenario={"name": "db_outgae"})
    done = pytester.runpytest_subprocess("--drills", "drills")
    done.assert_outcomes(errors=1)
    assert "Unknown scenario 'db_outgae'" in done.stdout.str() and "Traceback" not in done.stdout.str()


def test_without_drills_nothing_is_collected_from_yaml(pytester: pytest.Pytester) -> None:
    drill(pytester, "first")
    done = pytester.runpytest_subprocess("--collect-only", "-q")
    assert "first" not in done.stdout.str()


@pytest.mark.beside
@pytest.mark.docker
@pytest.mark.usefixtures("built_images", "no_leftovers")
def test_the_fixture_runs_a_drill_and_a_missed_objective_fails_its_item(pytester: pytest.Pytester) -> None:
    drill(pytester, "quick", folder="team", phases=PHASES)
    drill(pytester, "impossible", objectives={"tier": "customer-facing", "rto_s": 0.01}, phases=PHASES)
    pytester.makepyfile(
        test_team="""
        from drillbook import run_drill

        def test_db_outage(drillbook):
            result = drillbook.run("team/quick.yaml", overrides={"objectives": {"rto_s": 60}})
            assert result.verdict == "passed", result.checks
            assert result.measurements.lost_writes == 0
            assert next(o for o in result.objectives if o.name == "RTO").target_s == 60
            assert callable(run_drill)
        """
    )
    done = pytester.runpytest_subprocess("--drills", "drills", "-p", "no:cacheprovider")
    done.assert_outcomes(passed=1, failed=1)
    out = done.stdout.str()
    assert "drill impossible: failed" in out and "RTO" in out, out[-3000:]
    assert (pytester.path / "out" / "pytest-drills" / "impossible" / "result.json").is_file()
