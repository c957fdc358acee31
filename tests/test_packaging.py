"""Every package of the source tree is in the wheel's list: a new sub-package left out of
`pyproject.toml` imports from the checkout and fails only once installed."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_every_package_in_the_source_tree_is_listed_for_the_wheel() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    found = set()
    for name, folder in setuptools["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join((name, *relative.parts)))
    assert found - listed == set()
