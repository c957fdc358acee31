"""No file of the project points at a document the repository does not have."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

# Documents drillbook writes into a drill's or a game day's folder, or tests write
# into a temporary folder: names of output, not references to a document.
WRITTEN = {"summary.md", "postmortem.md", "comparison.md", "a.md", "b.md", "runbook.md"}
WRITTEN |= {
    "book.md",
    "missing.md",
    "nope.md",
    "g.md",
    "guide.md",
    "escape.md",
    "slow.md",
}  # runbooks tests write or lack
MENTION = re.compile(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md(?!\.?\w)")


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if (ROOT / line).is_file()]


def test_every_markdown_name_mentioned_exists() -> None:
    files = _tracked()
    have = set(files)
    missing = []
    for name in files:
        try:
            text = (ROOT / name).read_text()
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), start=1):
            for match in MENTION.finditer(line):
                mention = match.group(0).lstrip("/")
                if mention.rsplit("/", 1)[-1] in WRITTEN:
                    continue
                beside = (ROOT / name).parent.joinpath(mention).resolve()
                inside = beside.is_relative_to(ROOT.resolve())
                if mention not in have and not (inside and str(beside.relative_to(ROOT.resolve())) in have):
                    missing.append(f"{name}:{lineno}: {match.group(0)}")
    assert not missing, "documents referred to but not in the repository:\n" + "\n".join(missing)


def test_the_readme_links_the_design_document() -> None:
    assert "](docs/design.md)" in (ROOT / "README.md").read_text()
