"""Pages as PDF for auditors: printed by headless Chromium, rendered back to PNG to prove they are not blank."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

from drillbook.drills.cli import main
from drillbook.errors import DrillbookError
from drillbook.reports import pdf
from tests.reports.sample_result import document
from tests.reports.test_browser import distinct_pixel_bytes


def pages(pdf_file: pathlib.Path, folder: pathlib.Path) -> list[pathlib.Path]:
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf_file), str(folder / "page")], check=True, timeout=120)
    return sorted(folder.glob("page*.png"))


@pytest.mark.slow
def test_a_drill_report_as_pdf(tmp_path: pathlib.Path) -> None:
    assert shutil.which("chromium") and shutil.which("pdftoppm"), "make browser installs chromium and poppler-utils"
    (tmp_path / "result.json").write_text(json.dumps(document()))
    out = tmp_path / "report.pdf"
    assert main(["report", str(tmp_path / "result.json"), "--pdf", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    rendered = pages(out, tmp_path)
    assert len(rendered) >= 2 and all(distinct_pixel_bytes(p.read_bytes()) > 50 for p in rendered)


def test_pdf_needs_an_output_file(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "result.json").write_text(json.dumps(document()))
    assert main(["report", str(tmp_path / "result.json"), "--pdf"]) == 2
    assert "give -o FILE.pdf" in capsys.readouterr().err


def test_no_chromium_is_a_refusal_that_says_how(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DrillbookError, match="apt-get install chromium"):
        pdf.browser()
