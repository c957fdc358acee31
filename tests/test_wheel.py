"""The built wheel, installed into a fresh virtualenv: one top-level package, and it works.

`pip install drillbook` must not put `drills`, `reports`, `recovery`, `scenarios`
or `replicas` into site-packages (a team's own `reports` package would break),
and everything the command needs at run time (the catalog, the targets, the
Dockerfiles and the sample service's source the images are built from) must be
package data.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.reports.sample_result import document as sample_document

pytestmark = [pytest.mark.slow, pytest.mark.docker, pytest.mark.beside]


def sh(*argv: str | pathlib.Path, cwd: pathlib.Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The virtualenv's bin folder, with the wheel built from this checkout installed. By uv, which
    make venv installs beside the tests (pip took 35 s of CPU here, uv 3 s); the wheel and what
    it installs are the same whichever installer reads it."""
    tmp = tmp_path_factory.mktemp("wheel")
    uv = pathlib.Path(sys.executable).parent / "uv"
    built = sh(uv, "build", "--quiet", "--wheel", "-o", tmp / "dist", ROOT, cwd=tmp)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp / "dist").glob("drillbook-*.whl")
    made = sh(sys.executable, "-m", "venv", "--without-pip", tmp / "venv", cwd=tmp)
    assert made.returncode == 0, made.stderr
    bin_dir = tmp / "venv" / "bin"
    pip = sh(uv, "pip", "install", "--quiet", "--python", bin_dir / "python", wheel, cwd=tmp)
    assert pip.returncode == 0, pip.stderr[-2000:]
    return bin_dir


def test_only_drillbook_is_a_top_level_package(installed: pathlib.Path, tmp_path: pathlib.Path) -> None:
    for name in ("drills", "reports", "recovery", "scenarios", "replicas"):
        found = sh(installed / "python", "-c", f"import {name}", cwd=tmp_path)
        assert found.returncode != 0 and "ModuleNotFoundError" in found.stderr, name
    listed = sh(installed / "python", "-c", "import drillbook.drills.spec as s; print(s.__file__)", cwd=tmp_path)
    assert "site-packages/drillbook/drills/spec.py" in listed.stdout, listed.stderr


def test_the_installed_command_lists_validates_and_plans(installed: pathlib.Path, tmp_path: pathlib.Path) -> None:
    listed = sh(installed / "drillbook", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "db-outage" in listed.stdout and "bad-deploy" in listed.stdout, listed.stderr
    version = sh(installed / "python", "-m", "drillbook", "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("drillbook "), version.stderr
    planned = sh(installed / "drillbook", "plan", "bad-deploy", "--offline", cwd=tmp_path)
    assert planned.returncode == 0 and "git_rollback" in planned.stdout, planned.stderr


def test_the_installed_command_renders_every_report(installed: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """Templates are package data, found under the installed package's name."""
    (tmp_path / "result.json").write_text(json.dumps(sample_document()))
    formats = (("html", "<!DOCTYPE html>"), ("md", "# Drill"), ("junit", "<testsuite"), ("postmortem", "# Post"))
    for fmt, marker in formats:
        rendered = sh(installed / "drillbook", "report", tmp_path / "result.json", "--format", fmt, cwd=tmp_path)
        assert rendered.returncode == 0 and marker in rendered.stdout, (fmt, rendered.stderr[-1500:])


def test_the_images_build_from_the_installed_package_data(installed: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """The build contexts come from site-packages; identical inputs mean the checkout's images are current."""
    built = sh(installed / "drillbook", "images", cwd=tmp_path, timeout=1200)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    assert "images are up to date" in built.stdout
    assert "building image" not in built.stdout, "the installed package data differs from the checkout's"
