"""The HTML report of a real drill, opened in Debian's headless Chromium."""

from __future__ import annotations

import pathlib
import shutil
import struct
import subprocess
import tempfile
import zlib

import pytest

from tests.conftest import ROOT, CatalogRun

pytestmark = pytest.mark.docker

SCREENSHOTS = ROOT / "out" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def distinct_pixel_bytes(png: bytes) -> int:
    """How many different byte values the image data holds: a blank page has a handful."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data)))


@pytest.mark.beside
def test_report_of_a_real_drill_renders_in_chromium(catalog_db_outage: CatalogRun) -> None:
    browser = shutil.which("chromium")
    assert browser, "Debian's chromium is not installed: run `make browser`"
    report = catalog_db_outage.out / "report.html"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "db-outage-report.png"
    shot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1100,3000",
                f"--screenshot={shot}",
                report.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console == [], console
    assert shot.exists() and shot.stat().st_size > 20_000
    assert distinct_pixel_bytes(shot.read_bytes()) > 50, "the page rendered blank"


@pytest.mark.beside
def test_screenshot_check_notices_a_blank_page(tmp_path: pathlib.Path) -> None:
    browser = shutil.which("chromium")
    assert browser
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    shot = tmp_path / "blank.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}", blank.as_uri()],
            capture_output=True,
            timeout=120,
            check=True,
        )
    assert distinct_pixel_bytes(shot.read_bytes()) <= 50
