"""`drillbook report`: a stored result (or a killed drill's journal) rendered again."""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

import jinja2
from rich.console import Console

from drillbook import inputs, reports
from drillbook.errors import DrillbookError, ExitCode, ResultError
from drillbook.reports import documents, pdf


def cmd_report(args: argparse.Namespace, console: Console) -> ExitCode:
    if args.pdf and (args.output is None or args.format not in ("html", "md")):
        raise DrillbookError("--pdf prints the HTML report into a file: give -o FILE.pdf (and no other --format).")
    if args.pdf:
        pdf.browser()
    if args.output is not None:
        inputs.writable_file(args.output, "report file (-o)")
    try:
        document = documents.load(args.result)
    except documents.DocumentError as exc:
        raise ResultError(
            f"Cannot read the result: {exc}. Give a result.json written by `drillbook run`, its folder, "
            "or the journal.jsonl a killed drill left there."
        ) from None
    try:
        text = reports.render("html" if args.pdf else args.format, document)
    except (jinja2.TemplateError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # The core was checked on reading; a field beyond it of the wrong shape ends here.
        raise ResultError(
            f"The result {args.result} has the contract's core but a field the {args.format} report needs is "
            f"missing or of the wrong shape ({type(exc).__name__}: {str(exc)[:200]}). Render a result.json "
            "written by `drillbook run` as it was written."
        ) from None
    if args.output is None:
        sys.stdout.write(text)
    elif args.pdf:
        with tempfile.TemporaryDirectory(prefix="drillbook-report-") as scratch:
            page = pathlib.Path(scratch) / "report.html"
            page.write_text(text)
            pdf.write(page, args.output)
        console.out(f"wrote {args.output}", highlight=False)
    else:
        try:
            args.output.write_text(text)
        except OSError as exc:
            raise ResultError(f"Cannot write {args.output}: {exc.strerror or exc}. Give another -o path.") from None
        console.out(f"wrote {args.output}", highlight=False)
    return ExitCode.OK
