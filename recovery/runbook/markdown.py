"""A runbook in Markdown: its sections by heading and the fenced blocks each one holds.

A section is found by its heading's text and owns everything up to the next
heading of the same or a higher level, so asking for "Rollback Procedures"
brings its subsections with it. Lines are counted from 1 so a message can
name `file:line`.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass

from drillbook.errors import SpecError

SHELLS = ("", "bash", "sh", "shell", "console", "zsh")
"""Fence languages whose lines are shell commands (an unlabelled fence counts as one)."""

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")


@dataclass(frozen=True)
class Block:
    language: str
    line: int
    """The line of the first line inside the fence."""
    lines: tuple[str, ...]

    @property
    def shell(self) -> bool:
        return self.language.lower() in SHELLS


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    line: int
    path: tuple[str, ...]
    """The titles of its enclosing headings and its own, outermost first."""
    blocks: tuple[Block, ...]
    """The blocks directly under this heading (not its subsections')."""


@dataclass(frozen=True)
class Runbook:
    file: pathlib.Path
    sections: tuple[Section, ...]

    def select(self, title: str | None) -> tuple[Section, ...]:
        """The section of that heading and its subsections (every section for None)."""
        if title is None:
            return self.sections
        wanted = _norm(title)
        for i, section in enumerate(self.sections):
            if _norm(section.title) == wanted:
                inside = [section]
                for later in self.sections[i + 1 :]:
                    if later.level <= section.level:
                        break
                    inside.append(later)
                return tuple(inside)
        headings = ", ".join(repr(s.title) for s in self.sections if any(b.shell for b in s.blocks))
        raise SpecError(
            f"{self.file}: has no section headed {title!r}. Sections with shell blocks: {headings or 'none'}. "
            "Name the heading's text as it is written (case and spacing do not matter)."
        )


def _norm(text: str) -> str:
    return " ".join(text.replace("*", "").replace("`", "").split()).casefold()


def parse(text: str, file: pathlib.Path) -> Runbook:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    current: tuple[str, int, int] = ("(before the first heading)", 0, 1)
    blocks: list[Block] = []
    fence: tuple[str, str, int, list[str]] | None = None  # marker, language, line, lines

    def close() -> None:
        title, level, line = current
        if blocks or level:
            sections.append(Section(title, level, line, tuple(t for _, t in stack) or (title,), tuple(blocks)))

    for number, line in enumerate(text.splitlines(), start=1):
        if fence is not None:
            marker = fence[0]
            if line.strip().startswith(marker[0] * len(marker)) and not line.strip().strip(marker[0]):
                blocks.append(Block(fence[1], fence[2], tuple(fence[3])))
                fence = None
            else:
                fence[3].append(line)
            continue
        opened = _FENCE.match(line)
        if opened:
            fence = (opened.group(2), opened.group(3), number + 1, [])
            continue
        heading = _HEADING.match(line)
        if heading:
            close()
            level, title = len(heading.group(1)), heading.group(2)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            current, blocks = (title, level, number), []
    if fence is not None:
        raise SpecError(
            f"{file}:{fence[2] - 1}: a fenced block opened with {fence[0]} is never closed. "
            f"Close it with a line of {fence[0]}."
        )
    close()
    return Runbook(file, tuple(sections))


def load(file: pathlib.Path) -> Runbook:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{file}: the runbook does not exist. Give the path of the Markdown file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{file}: the runbook cannot be read ({exc}). Give a UTF-8 Markdown file.") from None
    return parse(text, file)
