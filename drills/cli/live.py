"""The live view: a status line under the scrolling events while a drill runs.

Phase, elapsed time, the load's success rate and latency over the last
seconds, and the alerts fired. Only on a terminal: in CI logs the events are
plain lines and nothing redraws.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from rich.console import Console, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from drillbook.drills.run.runner import Status
from drillbook.drills.run.timeline import Event


def render(status: Status | None, title: str) -> RenderableType:
    line = Text(f"▶ {title}", style="bold")
    if status is None:
        return line + Text("  starting…", style="dim")
    line.append(f"  {status.phase}", style="cyan")
    line.append(f"  {status.elapsed_s:6.1f} s")
    if status.success_rate is None:
        line.append("  load: —", style="dim")
    else:
        style = "green" if status.success_rate >= 0.99 else "yellow" if status.success_rate >= 0.9 else "red"
        line.append(f"  ok {100 * status.success_rate:5.1f}%", style=style)
        line.append(f"  {status.mean_latency_ms or 0:6.0f} ms  {status.requests} req/5 s")
    if status.alerts:
        line.append("  alerts: " + ", ".join(status.alerts), style="bold red")
    return line


def event_line(event: Event) -> str:
    return f"[dim]{event.t:8.2f}s[/] [bold]{event.kind}[/] {escape(event.detail)}"


class LiveView:
    def __init__(self, console: Console, status: Callable[[], Status | None], title: str, enabled: bool = True) -> None:
        self.console = console
        self.status = status
        self.title = title
        self._live: Live | None = None
        self.enabled = enabled and console.is_terminal

    def __enter__(self) -> Self:
        if self.enabled:
            self._live = Live(
                get_renderable=lambda: render(self.status(), self.title),
                console=self.console,
                refresh_per_second=4,
                transient=True,
            )
            self._live.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def event(self, event: Event) -> None:
        """Printed above the status line, which redraws below it."""
        self.console.print(event_line(event), soft_wrap=True, highlight=False)

    def line(self, text: str) -> None:
        self.console.print(text, soft_wrap=True, highlight=False)
