"""Recovery readiness from a history of several runs: regressions first, trends that show change, coverage."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import shutil
import subprocess

import pytest

from drillbook.drills.campaigns import readiness
from drillbook.drills.campaigns.history import History
from drillbook.drills.cli import main
from drillbook.readiness_contract import ReadinessDocument
from drillbook.reports import readiness as readiness_page
from tests.conftest import ROOT
from tests.drills.campaigns.test_history import run_doc
from tests.reports.test_browser import distinct_pixel_bytes

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
SCREENSHOTS = ROOT / "out" / "screenshots"


def history(tmp_path: pathlib.Path) -> pathlib.Path:
    """Four nights of db-outage (the last one slower) and three of bad-deploy, steady."""
    store = History(tmp_path / "h.db")
    for i, downtime in enumerate([1.1, 1.4, 1.2, 6.5]):
        store.add({**run_doc(i, downtime), "started_at": f"2026-11-2{i}T03:00:00+00:00"}, None)
    for i, downtime in enumerate([7.2, 7.6, 7.3]):
        doc = run_doc(i, downtime)
        doc.update(drill="bad-deploy", drill_id=f"bad-deploy-{i}", scenario="bad_deploy(release='1.1.0')")
        doc["started_at"] = f"2026-11-2{i}T03:10:00+00:00"
        store.add(doc, None)
    store.close()
    return tmp_path / "h.db"


def made(tmp_path: pathlib.Path) -> ReadinessDocument:
    store = History(history(tmp_path))
    try:
        return readiness.document(store.documents(), store.runs(), {"db-outage": "db_outage"}, NOW)
    finally:
        store.close()


def test_the_regressed_drill_comes_first_with_its_change(tmp_path: pathlib.Path) -> None:
    doc = made(tmp_path)
    assert [d.drill for d in doc.drills] == ["db-outage", "bad-deploy"]
    first = doc.drills[0]
    assert first.regressions[0] == "downtime 1.20 s → 6.50 s"
    assert first.downtimes == [1.1, 1.4, 1.2, 6.5] and first.rto_target_s == 900
    assert doc.drills[1].regressions == []


def test_the_page_shows_headroom_trends_on_their_own_scale_and_coverage(tmp_path: pathlib.Path) -> None:
    page = readiness_page.render(made(tmp_path))
    assert page.index("db-outage") < page.index("bad-deploy")
    assert "99%" in page  # 6.5 s of a 15 min RTO
    assert "objective 900 s (above the chart)" in page
    trend = re.search(r'<svg[^>]*class="trend"[^>]*aria-label="downtime, s".*?</svg>', page, re.S)
    assert trend is not None
    rows = [round(float(y)) for y in re.findall(r'<circle cx="[^"]+" cy="([^"]+)"', trend.group(0))]
    assert len(set(rows)) == 4, "1.1, 1.4, 1.2 and 6.5 s on four pixel rows"
    assert "Security breach detected" in page and "not covered" in page


def test_the_command_writes_json_and_html(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "readiness"
    assert main(["readiness", "--out", str(out), "--history", str(history(tmp_path))]) == 0
    doc = ReadinessDocument.model_validate(json.loads((out / "readiness.json").read_text()))
    assert {d.drill for d in doc.drills} == {"db-outage", "bad-deploy"}
    assert (out / "readiness.html").read_text().startswith("<!DOCTYPE html>")


def test_an_output_that_is_a_file_is_refused(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    assert main(["readiness", "--out", str(tmp_path / "file"), "--history", str(tmp_path / "h.db")]) == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.slow
def test_the_page_in_chromium_and_as_pdf_pages_that_are_not_blank(tmp_path: pathlib.Path) -> None:
    assert shutil.which("chromium") and shutil.which("pdftoppm"), "make browser installs chromium and poppler-utils"
    out = tmp_path / "readiness"
    assert main(["readiness", "--out", str(out), "--history", str(history(tmp_path)), "--pdf"]) == 0
    pdf = out / "readiness.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages, "pdftoppm rendered no page"
    assert all(distinct_pixel_bytes(p.read_bytes()) > 50 for p in pages), "a PDF page rendered blank"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pages[0], SCREENSHOTS / "readiness-pdf-page1.png")
