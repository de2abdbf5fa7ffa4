"""In-process fan-out of the chain's events to the screens.

:class:`EventBus` is one sink of the :class:`~assist.chain.chain.EventChain`
(which numbers, keeps and stores the events): it offers each event to
every subscriber's bounded queue, and does nothing else. A subscriber that
falls behind never slows the publisher: its partial transcripts are
coalesced away first, and if it still cannot keep up it is marked
overflowed (``overflow`` is set) and must be cut off; it reconnects with its
last sequence numbers, so nothing is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ivr import events as ev

Event = ev.Event
EventFilter = Callable[[Event], bool]

__all__ = ["EventBus", "Subscription"]


class Subscription:
    def __init__(self, accepts: EventFilter, max_queue: int) -> None:
        self.accepts = accepts
        self.queue: asyncio.Queue[Event] = asyncio.Queue(max_queue)
        self.overflow = asyncio.Event()
        self.largest_backlog = 0

    @property
    def overflowed(self) -> bool:
        return self.overflow.is_set()

    def offer(self, event: Event) -> None:
        queue = self.queue
        if queue.full():
            if self.overflow.is_set():
                return
            self._drop_partials()
            if queue.full():
                if not isinstance(event, ev.TranscriptPartial):
                    self.overflow.set()  # else a later partial or the final supersedes it
                return
        elif self.overflow.is_set():
            return
        queue.put_nowait(event)
        waiting = queue.qsize()
        if waiting > self.largest_backlog:
            self.largest_backlog = waiting

    def _drop_partials(self) -> None:
        kept = [e for e in _drain(self.queue) if not isinstance(e, ev.TranscriptPartial)]
        for e in kept:
            self.queue.put_nowait(e)


def _drain(queue: asyncio.Queue[Event]) -> list[Event]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


class EventBus:
    """Fan-out to the screens' subscriptions: the chain's "screens" sink."""

    name = "screens"

    def __init__(self, max_queue: int = 1000) -> None:
        self.max_queue = max_queue
        self._subscribers: list[Subscription] = []
        self._largest_gone = 0  # the largest backlog of subscribers that have left

    def deliver(self, event: Event, text: str) -> None:
        for sub in self._subscribers:
            if sub.accepts(event):
                sub.offer(event)

    def close(self) -> None:
        return None

    @property
    def largest_backlog(self) -> int:
        """The most events any subscriber (now or gone) had waiting."""
        return max([self._largest_gone, *(s.largest_backlog for s in self._subscribers)])

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self, accepts: EventFilter) -> Subscription:
        sub = Subscription(accepts, self.max_queue)
        self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)
            self._largest_gone = max(self._largest_gone, sub.largest_backlog)
