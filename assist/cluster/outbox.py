"""What a node holds for the broker while it cannot reach it: a bounded
buffer that gives up the least valuable events first.

Sans I/O: entries in, entries out, a count of what was dropped. While the
broker is down the publisher keeps appending; past ``max_events`` the
oldest partial transcript goes first (a later partial or the final one
says the same and more), then other replaceable events (prosody frames,
anger updates: the next one supersedes them), and events that must never
be lost (flags, suggestions, finals, call start and end, IVR actions,
feedback) are never dropped: the buffer then grows past its bound rather
than lose one, and says so in ``over_bound``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ivr import events as ev

Entry = tuple[ev.Event, str]  # an event (with its seq) and its wire form

# Dropped first to last; anything not listed is never dropped.
_DROP_ORDER: tuple[tuple[type, ...], ...] = (
    (ev.TranscriptPartial,),
    (ev.ProsodyFrame, ev.AudioChunk),
    (ev.AngerUpdate,),
)


def droppable_rank(event: ev.Event) -> int | None:
    """0 for what goes first, None for what is never dropped."""
    for rank, kinds in enumerate(_DROP_ORDER):
        if isinstance(event, kinds):
            return rank
    return None


@dataclass
class Outbox:
    max_events: int = 10_000
    _entries: deque[Entry] = field(default_factory=deque)
    dropped: dict[str, int] = field(default_factory=dict)  # by event type
    _in_flight: int = 0  # the oldest entries handed out by peek(): never dropped

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def over_bound(self) -> bool:
        return len(self._entries) > self.max_events

    def append(self, entry: Entry) -> None:
        self._entries.append(entry)
        if len(self._entries) > self.max_events:
            self._make_room()

    def _make_room(self) -> None:
        """Drop one droppable entry, the lowest rank (then oldest) first."""
        best_index, best_rank = -1, len(_DROP_ORDER)
        for index, (event, _) in enumerate(self._entries):
            if index < self._in_flight:
                continue
            rank = droppable_rank(event)
            if rank is not None and rank < best_rank:
                best_index, best_rank = index, rank
                if rank == 0:
                    break
        if best_index < 0:
            return  # nothing may go: grow past the bound
        event, _ = self._entries[best_index]
        del self._entries[best_index]
        name = type(event).__name__
        self.dropped[name] = self.dropped.get(name, 0) + 1

    def peek(self, n: int) -> list[Entry]:
        """The oldest ``n`` entries, left in place (and never dropped) until
        :meth:`done` or :meth:`retry`."""
        self._in_flight = min(n, len(self._entries))
        return [self._entries[i] for i in range(self._in_flight)]

    def done(self, n: int) -> None:
        """The oldest ``n`` entries reached the broker."""
        for _ in range(min(n, len(self._entries))):
            self._entries.popleft()
        self._in_flight = 0

    def retry(self) -> None:
        """The entries handed out did not reach the broker: they stay, first in line."""
        self._in_flight = 0

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())
