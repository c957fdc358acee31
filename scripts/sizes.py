"""The size check of `make lint`: no module over 400 lines, no function over 60.

Those over the limits today are listed in scripts/sizes-allowed.txt with their
current size; the check fails on a new one, and on a listed one that grew, so
the debt can only shrink (docs/design.md, "Floors and the import rule").
`--write` rewrites the list from the tree (after a split made something smaller).
"""

from __future__ import annotations

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
FLOORS = ("drillbook", "drills", "reports", "recovery", "scenarios", "replicas")
SKIP = ("replicas/sample/", "replicas/tracker/", "replicas/faultproxy/")
MAX_MODULE, MAX_FUNCTION = 400, 60
ALLOWED = ROOT / "scripts" / "sizes-allowed.txt"


def measure() -> dict[str, int]:
    over: dict[str, int] = {}
    for floor in FLOORS:
        for path in sorted((ROOT / floor).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(SKIP):
                continue
            text = path.read_text()
            lines = len(text.splitlines())
            if lines > MAX_MODULE:
                over[rel] = lines
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION:
                        over[f"{rel}::{node.name}"] = length
    return over


def main(argv: list[str]) -> int:
    found = measure()
    if "--write" in argv:
        header = "# Over the limits today (lines); the list may only shrink. `python scripts/sizes.py --write`\n"
        ALLOWED.write_text(header + "".join(f"{name} {size}\n" for name, size in sorted(found.items())))
        print(f"sizes: {len(found)} over the limits, written to {ALLOWED.relative_to(ROOT)}")
        return 0
    allowed = {}
    for line in ALLOWED.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, size = line.rsplit(" ", 1)
            allowed[name] = int(size)
    problems = []
    for name, size in sorted(found.items()):
        limit = MAX_FUNCTION if "::" in name else MAX_MODULE
        if name not in allowed:
            problems.append(f"{name}: {size} lines, over the limit of {limit}; split it")
        elif size > allowed[name]:
            problems.append(f"{name}: grew to {size} lines (allowed {allowed[name]} until it is split); split it")
    for problem in problems:
        print(f"sizes: {problem}", file=sys.stderr)
    shrunk = sorted(set(allowed) - set(found))
    if shrunk:
        print(f"sizes: now within the limits, remove from the list: {', '.join(shrunk)}", file=sys.stderr)
    print(
        f"sizes: {len(found)} module(s)/function(s) over the limits, all listed and none grown"
        if not problems
        else f"sizes: {len(problems)} problem(s)"
    )
    return 1 if problems or shrunk else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
