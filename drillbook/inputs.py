"""Reading what a user hands drillbook: bounded, decoded, parsed once, never trusted.

Every file drillbook reads from a user (drill, game day, target, result, journal)
comes through here, so that a binary file, a FIFO, `/dev/zero`, a UTF-16 file, a
YAML alias bomb, ten thousand nested brackets or a duplicated key each end in one
`DrillbookError` paragraph naming the file, the line and the fix — never in a
traceback, a hang or gigabytes of memory. YAML is parsed by libyaml where PyYAML
was built with it (the pure-Python parser is ten times slower on large files),
and composed once: the same node tree gives the data and the line of every field.
"""

from __future__ import annotations

import codecs
import os
import pathlib
import stat
from collections.abc import Iterator
from typing import Any

import yaml

from drillbook.errors import DrillbookError, SpecError

KIB = 1024
MIB = 1024 * KIB
MAX_YAML_BYTES = 1 * MIB
"""A drill, game-day or target file; the largest built-in one is about 3 KiB."""
MAX_DOCUMENT_BYTES = 256 * MIB
"""A result document or journal: a long drill's samples, never more."""
MAX_DEPTH = 64
MAX_VALUES = 100_000
"""Values in a YAML document once its aliases are expanded: a bomb expands to billions."""

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Path = tuple[str | int, ...]

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_text(
    path: pathlib.Path, kind: str, limit: int = MAX_YAML_BYTES, error: type[DrillbookError] = SpecError
) -> str:
    """The file's text, if it is a regular, readable UTF-8 file of at most `limit` bytes."""
    if "\x00" in str(path):
        raise error(f"The {kind} path {str(path)!r} contains a NUL byte; give the path of a file.")
    try:
        info = path.stat()
    except OSError as exc:
        raise error(f"Cannot read the {kind} file {path}: {exc.strerror or exc}. Check the path.") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"The {kind} file {path} is a folder; give the path of a file in it.")
    if not stat.S_ISREG(info.st_mode):
        raise error(
            f"The {kind} file {path} is not a regular file (a FIFO, device or socket); drillbook reads only "
            "files. Save the content to a file and give its path."
        )
    if info.st_size > limit:
        raise error(
            f"The {kind} file {path} is {info.st_size:,} bytes; a {kind} file is at most {limit:,} bytes. "
            "Give the right file, or split it."
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise error(f"Cannot read the {kind} file {path}: {exc.strerror or exc}. Check its permissions.") from None
    if len(raw) > limit:
        raise error(f"The {kind} file {path} grew past {limit:,} bytes while it was read; give a finished file.")
    return decode(raw, path, kind, error)


def decode(raw: bytes, path: pathlib.Path, kind: str, error: type[DrillbookError] = SpecError) -> str:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise error(
                f"The {kind} file {path} is encoded as {name}; drillbook reads UTF-8. Save it as UTF-8 "
                f"(for example `iconv -f {name} -t UTF-8`)."
            )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            f"The {kind} file {path} is not UTF-8 text (line {line}, byte {exc.start}: {exc.reason}). "
            "Give a text file saved as UTF-8."
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise error(f"The {kind} file {path} is not text: line {line} holds a NUL byte. Give a text file.")
    return text


def load_yaml(text: str, path: pathlib.Path, kind: str) -> tuple[Any, dict[Path, int]]:
    """The document's data and the 1-based line of every path in it, from one parse."""
    try:
        _check_depth(text, path, kind)
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, {}
            lines = _index(node, path, kind)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise SpecError(
            f"The {kind} file {path} is not valid YAML at {where}: {exc.problem or exc.context}. "
            "Fix the syntax and try again."
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"The {kind} file {path} is not valid YAML: {exc}. Fix the syntax and try again.") from None
    except (ValueError, OverflowError, TypeError) as exc:  # a timestamp or number the constructor cannot make
        raise SpecError(f"The {kind} file {path} holds a value YAML cannot read: {exc}. Fix that value.") from None
    return data, lines


def line_of(lines: dict[Path, int], where: Path) -> int | None:
    """The line of `where`, or of the deepest part of it the document has (a missing
    field is reported at the mapping that lacks it)."""
    return next((lines[where[:i]] for i in range(len(where), -1, -1) if where[:i] in lines), None)


def _check_depth(text: str, path: pathlib.Path, kind: str) -> None:
    """Refuse deep nesting from the event stream, before composing (which recurses)."""
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise SpecError(
                    f"The {kind} file {path} nests deeper than {MAX_DEPTH} levels (line {line}); no drillbook "
                    "file needs that. Give the right file."
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _index(root: yaml.Node, path: pathlib.Path, kind: str) -> dict[Path, int]:
    """Lines by path; refuses duplicate keys and alias expansion past MAX_VALUES."""
    lines: dict[Path, int] = {}
    seen = 0
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, where = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise SpecError(
                f"The {kind} file {path} expands to more than {MAX_VALUES:,} values (YAML aliases that refer "
                "to aliases?). Write the values out; a drill file needs a few hundred."
            )
        lines.setdefault(where, node.start_mark.line + 1)
        for child, sub in _children(node, where, path, kind):
            stack.append((child, sub))
    return lines


def _children(node: yaml.Node, where: Path, path: pathlib.Path, kind: str) -> Iterator[tuple[yaml.Node, Path]]:
    if isinstance(node, yaml.MappingNode):
        first: dict[object, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else f"<{key.tag}>"
            line = key.start_mark.line + 1
            if name in first and key.tag != "tag:yaml.org,2002:merge":
                dotted = ".".join(str(p) for p in (*where, name))
                raise SpecError(
                    f"{path}:{line}: the key {dotted} appears twice in the {kind} file (lines {first[name]} and "
                    f"{line}); YAML would silently keep the last. Remove one of them."
                )
            first.setdefault(name, line)
            yield value, (*where, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield item, (*where, i)


def writable_folder(folder: pathlib.Path, what: str) -> pathlib.Path:
    """Check that `folder` is, or can be made, a writable folder; nothing is created."""
    if "\x00" in str(folder):
        raise DrillbookError(f"The {what} path {str(folder)!r} contains a NUL byte; give a folder's path.")
    probe = folder
    while not probe.exists():
        if probe.is_symlink():
            raise DrillbookError(f"The {what} {folder}: {probe} is a broken symbolic link. Give another folder.")
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise DrillbookError(
            f"The {what} {folder} cannot be a folder: {probe} is a file. Give a folder's path (--out DIR)."
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise DrillbookError(f"The {what} {folder} cannot be written: {probe} is not writable. Give another folder.")
    return folder


def writable_file(file: pathlib.Path, what: str) -> pathlib.Path:
    """Check that `file` can be written (its folder exists and is writable, it is not a folder)."""
    if "\x00" in str(file):
        raise DrillbookError(f"The {what} path {str(file)!r} contains a NUL byte; give a file's path.")
    if file.is_dir():
        raise DrillbookError(f"The {what} {file} is a folder; give a file's path (for example {file}/report.html).")
    parent = file.parent
    if not parent.is_dir():
        raise DrillbookError(
            f"The {what} {file} cannot be written: its folder {parent} does not exist. Create it "
            f"(mkdir -p {parent}) or give another path."
        )
    if file.exists() and not file.is_file():
        raise DrillbookError(f"The {what} {file} is not a regular file; give a file's path.")
    if not os.access(parent, os.W_OK | os.X_OK) or (file.exists() and not os.access(file, os.W_OK)):
        raise DrillbookError(f"The {what} {file} cannot be written: no permission. Give another path.")
    return file
