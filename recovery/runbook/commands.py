"""The commands of a runbook's shell blocks, as a person would read them.

Lines are joined until the shell parses them (`bash -n`, which reads and never
runs: line continuations, heredocs, a quoted SQL string over several lines);
placeholders (`<stable-commit-hash>`, `[Provider support]`, `...` in SQL) are
found before parsing, since `<name>` would otherwise be a redirection; a line
that reads as prose (`Email: support@...`, a sentence) is not a command; the
comment line above a command names its step.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from drillbook.recovery.runbook.markdown import Block, Section

Kind = Literal["command", "prose"]

_ANGLE = re.compile(r"(?<![<\w])<([A-Za-z][\w .-]*[A-Za-z0-9])>")
_SQUARE = re.compile(r"(?<![\[\w$])\[([A-Za-z][\w /.-]*[\w.])\](?!\])")
_RANGE = re.compile(r"^(?:\w-\w|\w)+$")
"""`[a-z]`, `[a-zA-Z0-9]`, `[abc]`-sized classes: a glob or a regular expression, not a placeholder."""
_ELLIPSIS = re.compile(r"(?<![\w./])\.\.\.(?![\w./])")
_LIST = re.compile(r"^(?:[-*+]\s|\d+\.\s)")
_SENTENCE = re.compile(r"^[A-Z][a-z']")


@dataclass(frozen=True)
class Command:
    section: str
    line: int
    """The line of the runbook the command starts on."""
    text: str
    step: str
    """The comment above it, or its own first line."""
    kind: Kind
    placeholders: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """How a later check knows the same command: its section and its text, spaces normalised."""
        return f"{self.section}\n{' '.join(self.text.split())}"

    def filled(self, values: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
        """The text with each placeholder that `values` names filled in, and the ones left."""
        text, left = self.text, []
        for name in self.placeholders:
            value = values.get(name) if name != "..." else values.get("...")
            if value is None:
                left.append(name)
            elif name == "...":
                text = _ELLIPSIS.sub(value, text)
            else:
                text = text.replace(f"<{name}>", value).replace(f"[{name}]", value)
        return text, tuple(left)


@dataclass(frozen=True)
class Listed:
    """A block in another language (`typescript`): listed, never run."""

    section: str
    line: int
    language: str
    lines: int


def placeholders(text: str) -> tuple[str, ...]:
    """The placeholders of a command, outside its comments, in order."""
    code = "\n".join(_code_part(line) for line in text.splitlines())
    found = [m.group(1) for m in _ANGLE.finditer(code)]
    found += [m.group(1) for m in _SQUARE.finditer(code) if not _RANGE.match(m.group(1))]
    found += ["..." for _ in _ELLIPSIS.finditer(code)]
    return tuple(dict.fromkeys(found))


def _code_part(line: str) -> str:
    """The line without a trailing `# comment` (a `#` outside quotes, after a blank or at the start)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def prose(line: str) -> bool:
    """A line of a shell block that a person reads rather than types."""
    text = line.strip()
    first = text.split()[0]
    if _LIST.match(text) or first.endswith(":") or not first[0].isascii():
        return True
    return bool(_SENTENCE.match(first)) and "=" not in first and "/" not in first


_OPENERS = ("'", '"', "\\", "`", "$(", "<<", "(", ")", "{", "}")


def parses(text: str) -> bool:
    """Whether bash reads the text as complete commands (`bash -n` only reads; nothing runs).
    A single line with nothing that opens a construct is complete without asking bash."""
    line = text.strip()
    if "\n" not in line and not any(o in line for o in _OPENERS) and not line.endswith(("|", "&&", "||")):
        return True
    checked = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, check=False)
    return checked.returncode == 0 and not checked.stderr.strip()


def _masked(text: str, names: tuple[str, ...]) -> str:
    """Placeholders replaced by a plain word, so that the shell can judge the rest."""
    for name in names:
        if name == "...":
            text = _ELLIPSIS.sub("PLACEHOLDER", text)
        else:
            text = text.replace(f"<{name}>", "PLACEHOLDER").replace(f"[{name}]", "PLACEHOLDER")
    return text


def of_block(section: Section, block: Block) -> Iterator[Command]:
    lines, step, i = block.lines, "", 0
    while i < len(lines):
        line = lines[i].rstrip()
        number = block.line + i
        if not line.strip():
            i += 1
            continue
        if line.lstrip().startswith("#"):
            step = line.lstrip().lstrip("#").strip()
            i += 1
            continue
        if prose(line):
            yield Command(section.title, number, line.strip(), step or line.strip(), "prose")
            i += 1
            continue
        end = _end_of_command(lines, i)
        if end is None:
            yield Command(section.title, number, line.strip(), step or line.strip(), "prose")
            i += 1
            continue
        text = "\n".join(raw.rstrip() for raw in lines[i:end]).strip()
        yield Command(section.title, number, text, step or text.splitlines()[0], "command", placeholders(text))
        i = end


def _end_of_command(lines: tuple[str, ...], start: int) -> int | None:
    """The index after the last line of the command that starts at `start`, or None when no
    run of lines from there to the end of the block parses."""
    for end in range(start + 1, len(lines) + 1):
        text = "\n".join(lines[start:end])
        if text.rstrip().endswith("\\"):
            continue
        if parses(_masked(text, placeholders(text))):
            return end
    return None


def of_sections(sections: tuple[Section, ...]) -> tuple[list[Command], list[Listed]]:
    commands: list[Command] = []
    listed: list[Listed] = []
    for section in sections:
        for block in section.blocks:
            if block.shell:
                commands += of_block(section, block)
            else:
                listed.append(Listed(section.title, block.line - 1, block.language, len(block.lines)))
    return commands, listed
