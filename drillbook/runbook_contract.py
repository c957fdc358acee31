"""The document `drillbook runbook check` writes (runbook.json), shared by its writer and its reports.

A command is known across checks by its section and its normalised text
(`key`), so a later check can say which command stopped working.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RUNBOOK_FILE = "runbook.json"
HISTORY_FILE = "runbook-history.json"
SCHEMA = "drillbook.runbook/1"

VerdictName = Literal[
    "works", "fails", "missing tool", "needs a value", "not reachable", "interactive", "no effect", "not a command"
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CommandRecord(_Frozen):
    key: str
    line: int
    step: str
    text: str
    verdict: VerdictName
    why: str
    status: int | None = None
    seconds: float = 0.0
    output: str = ""


class SectionRecord(_Frozen):
    title: str
    line: int
    replica: str | None
    """The drill id of the fresh replica it ran on; None when nothing in it was run."""
    commands: list[CommandRecord]


class ListedRecord(_Frozen):
    section: str
    line: int
    language: str
    lines: int


class Regression(_Frozen):
    section: str
    text: str
    now: VerdictName
    why: str


class RunbookCheck(_Frozen):
    schema_: str = Field(default=SCHEMA, alias="schema")
    runbook: str
    target: str
    started_at: str
    finished_at: str
    hosts: dict[str, str]
    sections: list[SectionRecord]
    listed: list[ListedRecord]
    counts: dict[str, int]
    """How many commands got each verdict."""
    regressions: list[Regression]
    """Commands that worked in the previous check and do not now."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @property
    def commands(self) -> list[CommandRecord]:
        return [c for s in self.sections for c in s.commands]
