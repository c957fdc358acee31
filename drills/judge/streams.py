"""What the WebSocket clients saw of the fault: figures of their own, beside the HTTP downtime.

A stream's outage is not a failed request: a client is connected, loses the
stream, and is connected again some time later, or never. Per client, a
disconnection starts when its connection closed (or went silent) at or after
the injection, and ends when it opened again; one still open at the end of
observation did not reconnect. Closings before the injection are the
service's own churn and not counted.

- disconnected: clients that lost the stream after the fault;
- reconnected: those of them connected again before observation ended;
- longest_s: the longest of those disconnections (to the end of observation
  for a client that never came back), mean_s their mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drillbook.drills.observe.load.sockets import SocketEvent


@dataclass(frozen=True)
class Disconnection:
    client: int
    lost_at: float
    back_at: float | None
    why: str

    def length(self, observed_until: float) -> float:
        return (self.back_at if self.back_at is not None else observed_until) - self.lost_at


@dataclass(frozen=True)
class StreamFigures:
    url_path: str
    clients: int
    connected_at_injection: int
    disconnected: int
    reconnected: int
    longest_s: float | None
    mean_s: float | None
    first_lost_at: float | None
    last_back_at: float | None
    disconnections: tuple[Disconnection, ...]
    connected: tuple[tuple[float, int], ...] = ()
    """How many clients held the stream, from each change on: what the report's chart draws."""

    @property
    def all_back(self) -> bool:
        return self.reconnected == self.disconnected


def judge(
    events: Iterable[SocketEvent], path: str, clients: int, injected_at: float | None, observed_until: float
) -> StreamFigures:
    """Events on the drill's clock, in the order they happened."""
    observed = sorted((e for e in events if e.at <= observed_until and e.kind != "stopped"), key=lambda e: e.at)
    by_client: dict[int, list[SocketEvent]] = {}
    for event in observed:
        by_client.setdefault(event.client, []).append(event)
    connected = 0
    gaps: list[Disconnection] = []
    for client, history in sorted(by_client.items()):
        if injected_at is None:
            continue
        before = [e for e in history if e.at < injected_at]
        connected += bool(before) and before[-1].kind == "open"
        gaps += _gaps(client, [e for e in history if e.at >= injected_at])
    first = [g for g in gaps if g is _first_of(gaps, g.client)]
    back = [g for g in first if _last_of(gaps, g.client).back_at is not None]
    lengths = [sum(g.length(observed_until) for g in gaps if g.client == c.client) for c in first]
    backs = [g.back_at for g in gaps if g.back_at is not None]
    return StreamFigures(
        url_path=path,
        clients=clients,
        connected_at_injection=connected,
        disconnected=len(first),
        reconnected=len(back),
        longest_s=max(lengths) if lengths else None,
        mean_s=sum(lengths) / len(lengths) if lengths else None,
        first_lost_at=min((g.lost_at for g in gaps), default=None),
        last_back_at=max(backs) if backs and len(back) == len(first) else None,
        disconnections=tuple(gaps),
        connected=_connected(observed),
    )


def _connected(observed: list[SocketEvent]) -> tuple[tuple[float, int], ...]:
    holding: set[int] = set()
    series = []
    for event in observed:
        if event.kind == "open":
            holding.add(event.client)
        else:
            holding.discard(event.client)
        series.append((event.at, len(holding)))
    return tuple(series)


def _gaps(client: int, after: list[SocketEvent]) -> list[Disconnection]:
    gaps: list[Disconnection] = []
    lost: SocketEvent | None = None
    for event in after:
        if event.kind == "closed" and lost is None:
            lost = event
        elif event.kind == "open" and lost is not None:
            gaps.append(Disconnection(client, lost.at, event.at, lost.why))
            lost = None
    if lost is not None:
        gaps.append(Disconnection(client, lost.at, None, lost.why))
    return gaps


def _first_of(gaps: list[Disconnection], client: int) -> Disconnection:
    return next(g for g in gaps if g.client == client)


def _last_of(gaps: list[Disconnection], client: int) -> Disconnection:
    return [g for g in gaps if g.client == client][-1]
