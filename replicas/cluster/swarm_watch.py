"""The swarm's own view, put on the drill's timeline beside what users saw.

A manager is asked every `interval_s` for its nodes and tasks; what changed
since the last look (a node down or ready again, a new leader, a task started
on another node or ended) becomes one `swarm` event. A manager that does not
answer (the one asked was just cut off) costs one look, never the drill.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence

from drillbook.contract import EventKind, swarm_node_line, swarm_task_line
from drillbook.replicas.containers import EventSink
from drillbook.replicas.protocols import NodeView, Task

SAID = ("running", "failed", "rejected", "shutdown", "complete", "orphaned")
"""The task states put on the timeline: where a task runs, and how it ended."""


class SwarmWatch:
    def __init__(
        self,
        nodes: Callable[[], Sequence[NodeView]],
        tasks: Callable[[], list[Task]],
        on_event: EventSink,
        interval_s: float = 0.5,
        last_words: Callable[[Task], str] = lambda _task: "",
    ) -> None:
        """`last_words` reads the end of a failed task's log, said with its failure."""
        self._nodes = nodes
        self._tasks = tasks
        self._on_event = on_event
        self._interval_s = interval_s
        self._seen_nodes: dict[str, str] = {}
        self.down_since: dict[str, float] = {}
        """Node -> `time.monotonic()` of the look that first found it down (cleared when ready)."""
        self._leader: str | None = None
        self._last_words = last_words
        self._seen_tasks: dict[str, str] = {}
        """Task id -> the state last said."""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="drillbook-swarm-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Idempotent; also when never started. A look under way ends within a manager's 5 s
        timeout; what it would say after this is not said."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a manager that does not answer: look again next time
                self.look()
            self._stop.wait(self._interval_s)

    def look_now(self) -> None:
        """A look from the caller's thread (a step that must not wait for the next one)."""
        with self._lock, contextlib.suppress(Exception):
            self._look()

    def look(self) -> list[str]:
        with self._lock:
            return self._look()

    def _look(self) -> list[str]:
        """Compare the swarm now with the last look; each change said once, and returned."""
        said = self._look_at_nodes(self._nodes()) + self._look_at_tasks(self._tasks())
        if self._stop.is_set():
            return []  # stopped while looking: the drill's timeline is closing
        for line in said:
            self._on_event(EventKind.SWARM, line)
        return said

    def _look_at_nodes(self, nodes: Sequence[NodeView]) -> list[str]:
        said = []
        for node in sorted(nodes, key=lambda n: n.hostname):
            if node.state == "down":
                self.down_since.setdefault(node.hostname, time.monotonic())
            else:
                self.down_since.pop(node.hostname, None)
            before = self._seen_nodes.get(node.hostname)
            if before is not None and before != node.state:
                said.append(swarm_node_line(node.hostname, node.state, before))
            self._seen_nodes[node.hostname] = node.state
        leader = next((n.hostname for n in nodes if n.leader), None)
        if leader is not None and leader != self._leader:
            if self._leader is not None:
                said.append(f"{leader} is the leader now (was {self._leader})")
            self._leader = leader
        return said

    def _look_at_tasks(self, tasks: list[Task]) -> list[str]:
        said = []
        for task in tasks:
            before = self._seen_tasks.get(task.id)
            if before == task.state:
                continue
            self._seen_tasks[task.id] = task.state
            if task.state not in SAID:
                continue  # on its way (assigned, preparing, starting): said once it runs or ends
            why = ""
            if task.state in ("failed", "rejected"):
                words = self._last_words(task)
                why = task.error + (f"; its log ends: {words}" if words else "")
            said.append(swarm_task_line(task.service, task.slot, task.node, task.state, why))
        return said
