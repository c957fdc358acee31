"""The hand-over's few lines of diagnostics: every field named, for a person."""

from __future__ import annotations

from drillbook.drills.observe.diagnostics import Section, Snapshot, brief


def test_container_lines_label_every_field() -> None:
    section = Section(
        "containers",
        "top",
        True,
        "",
        ("service", "status", "memory", "cpu", "oom_killed"),
        (("db", "running", "58 MiB of 512 MiB", "14%", "False"), ("app", "exited", "—", "—", "True")),
    )
    lines = brief(Snapshot("first alert", 1.0, 0.1, (section,)))
    assert lines == [
        "container db · status running · memory 58 MiB of 512 MiB · cpu 14% · OOM-killed no",
        "container app · status exited · memory — · cpu — · OOM-killed yes",
    ]
    assert not any(line.endswith(("False", "True")) for line in lines)
