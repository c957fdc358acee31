"""Drills from a team's own pytest suite (entry point `pytest11`, loaded when drillbook is installed).

- The `drillbook` fixture runs drills into the test's temporary folder and
  returns their typed result: `drillbook.run("drills/db-outage.yaml")`.
- `pytest --drills DIR` collects each drill file under DIR as a test item. A
  drill that could not run (bad input, no engine, interrupted) errors its item;
  one whose objectives or checks were missed fails it, the summary table as the
  message; one that passed passes. The team's CI gets drills in the JUnit it
  already publishes.
"""

from __future__ import annotations

import io
import pathlib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from rich.console import Console

from drillbook.contract import ResultDocument
from drillbook.errors import DrillbookError


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("drillbook")
    group.addoption(
        "--drills",
        action="append",
        default=[],
        metavar="DIR",
        type=pathlib.Path,
        help="collect each drill file (*.yaml) under DIR as a test item that runs the drill",
    )
    group.addoption(
        "--drills-out",
        default=pathlib.Path("out") / "pytest-drills",
        metavar="DIR",
        type=pathlib.Path,
        help="where the collected drills write their results and reports (default out/pytest-drills/NAME)",
    )


class Drills:
    """The `drillbook` fixture: drills run into the test's own folder, one folder each."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        self.results: list[ResultDocument] = []

    def run(
        self, drill: str | pathlib.Path, overrides: Mapping[str, Any] | None = None, *, allow_remote: bool = False
    ) -> ResultDocument:
        from drillbook.drills.api import run_drill

        out = self.folder / f"{pathlib.Path(drill).stem}-{len(self.results) + 1}"
        result = run_drill(drill, out=out, overrides=overrides, allow_remote=allow_remote)
        self.results.append(result)
        return result


@pytest.fixture
def drillbook(tmp_path: pathlib.Path) -> Iterator[Drills]:
    yield Drills(tmp_path / "drills")


def pytest_collect_file(file_path: pathlib.Path, parent: pytest.Collector) -> pytest.Collector | None:
    folders = [d.resolve() for d in parent.config.getoption("drills")]
    if file_path.suffix not in (".yaml", ".yml") or not any(file_path.resolve().is_relative_to(d) for d in folders):
        return None
    from drillbook.drills.campaigns.gameday_file import is_gameday

    return None if is_gameday(file_path) else DrillFile.from_parent(parent, path=file_path)


class DrillFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield DrillItem.from_parent(self, name=self.path.stem)


class DrillNotMet(Exception):
    """A drill that ran and missed an objective or a check: the item's failure, with the summary."""


class DrillItem(pytest.Item):
    result: ResultDocument | None = None

    def setup(self) -> None:
        """The drill runs here: one that cannot run, or is interrupted, is the item's error."""
        from drillbook.drills.api import run_drill

        out = pathlib.Path(self.config.getoption("drills_out")) / self.name
        self.result = run_drill(self.path, out=out)
        if self.result.verdict in ("error", "interrupted"):
            raise DrillbookError(f"drill {self.result.drill} did not run to its verdict: {self.result.error}")

    def runtest(self) -> None:
        assert self.result is not None
        if self.result.verdict != "passed":
            raise DrillNotMet(summary(self.result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, DrillNotMet | DrillbookError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[pathlib.Path, int | None, str]:
        return self.path, None, f"drill {self.name}"


def summary(result: ResultDocument) -> str:
    """The terminal's summary table of the drill, as text."""
    from drillbook.drills.cli.summary import print_summary

    buffer = io.StringIO()
    console = Console(file=buffer, width=110, color_system=None, highlight=False)
    print_summary(console, result.model_dump(by_alias=True), "(pytest)")
    return buffer.getvalue().rstrip()
