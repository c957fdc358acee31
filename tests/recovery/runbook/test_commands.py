"""A runbook's sections and commands, as a person reads them: joined lines, placeholders, prose."""

from __future__ import annotations

import pathlib

import pytest

from drillbook.errors import SpecError
from drillbook.recovery.runbook import commands, markdown
from tests.conftest import GUIDE

SMALL = pathlib.Path(__file__).parent / "books/small.md"


def parsed() -> list[commands.Command]:
    found, _listed = commands.of_sections(markdown.load(SMALL).select("checks"))
    return found


def test_lines_are_joined_until_the_shell_parses_them() -> None:
    found = parsed()
    texts = [c.text for c in found if c.kind == "command"]
    assert texts[0] == "curl -f https://example.test/api/health \\\n  -H 'Accept: application/json'"
    assert texts[1] == 'psql $DATABASE_URL -c "\nSELECT 1;\n"'
    assert texts[2] == "cat <<EOF > note.txt\ntwo lines\nEOF"
    assert found[0].step == "1. Health" and found[0].line == 6


def test_placeholders_are_found_and_globs_are_not() -> None:
    found = parsed()
    grep = next(c for c in found if c.text.startswith("grep"))
    assert grep.placeholders == ()
    checkout = next(c for c in found if c.text.startswith("git checkout"))
    assert checkout.placeholders == ("stable-commit-hash",)
    assert checkout.filled({"stable-commit-hash": "abc123"}) == ("git checkout abc123", ())
    terminate = next(c for c in found if "pg_terminate_backend" in c.text)
    assert terminate.placeholders == ("...",) and terminate.filled({})[1] == ("...",)


def test_prose_in_a_shell_block_is_not_a_command() -> None:
    prose = [c.text for c in parsed() if c.kind == "prose"]
    assert prose == [
        "Email: support@example.test",
        "- Steps to reproduce",
        "We're currently experiencing issues with [service].",
    ]


def test_a_section_brings_its_subsections_and_other_languages_are_listed() -> None:
    book = markdown.load(SMALL)
    assert [s.title for s in book.select("Checks")] == ["Checks", "Deeper"]
    _, listed = commands.of_sections(book.select(None))
    assert [(x.section, x.language) for x in listed] == [("Code", "typescript")]


def test_an_unknown_section_is_refused_with_the_ones_there_are() -> None:
    with pytest.raises(SpecError, match=r"books/small.md: has no section headed 'Rollback'.*'Checks', 'Deeper'"):
        markdown.load(SMALL).select("Rollback")


def test_an_unclosed_fence_names_its_line() -> None:
    with pytest.raises(SpecError, match=r"book.md:2: a fenced block opened with ``` is never closed"):
        markdown.parse("# A\n```bash\nls\n", pathlib.Path("book.md"))


def test_a_missing_runbook_is_refused() -> None:
    with pytest.raises(SpecError, match=r"nope.md: the runbook does not exist"):
        markdown.load(pathlib.Path("nope.md"))


def test_the_teams_guide_reads_as_a_person_reads_it() -> None:
    found, listed = commands.of_sections(markdown.load(GUIDE).select(None))
    run = [c for c in found if c.kind == "command"]
    assert len(run) == 40 and len(listed) == 8 and {x.language for x in listed} == {"typescript"}
    assert next(c for c in run if c.text.startswith("git checkout")).placeholders == ("stable-commit-hash",)
    assert all(c.kind == "prose" for c in found if c.text.startswith(("Email:", "- ", "🚨")))
    slow = next(c for c in run if "pg_stat_statements" in c.text)
    assert slow.text.count("\n") == 6 and slow.step == "Database performance"
