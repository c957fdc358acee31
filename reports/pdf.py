"""A page as PDF, for auditors: printed by Debian's headless Chromium, nothing else installed.

Chromium is the one renderer here that lays out the pages as a browser shows
them (the SVG charts included); without it the refusal says how to get it.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile

from drillbook.errors import DrillbookError

TIMEOUT_S = 120.0
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def browser() -> str:
    """Chromium's path; a refusal that says how to get it, checked before any work starts."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise DrillbookError(
            "--pdf prints the page with headless Chromium, which is not on this machine. Install "
            "Debian's chromium (`apt-get install chromium`, or `make browser`), or leave out --pdf and "
            "print the HTML page from a browser."
        )
    return found


def write(page: pathlib.Path, pdf: pathlib.Path) -> None:
    """Print the HTML file `page` into `pdf`."""
    chromium = browser()
    with tempfile.TemporaryDirectory(prefix="drillbook-pdf-") as profile:
        try:
            done = subprocess.run(
                [chromium, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.resolve().as_uri()],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DrillbookError(f"Chromium did not print {page} to PDF ({exc}).") from exc
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        pdf.unlink(missing_ok=True)
        raise DrillbookError(f"Chromium did not print {page} to PDF: {done.stderr.strip()[-400:]}")
