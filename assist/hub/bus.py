"""In-process fan-out of the chain's events to the screens.

:class:`EventBus` is one sink of the :class:`~assist.chain.chain.EventChain`
(which numbers, keeps and stores the events): it offers each event to
every subscriber's bounded queue, and does nothing else. A subscriber that
falls behind never slows the publisher: its partial transcripts are
coalesced away first, and if it still cannot keep up it is marked
overflowed (``overflow`` is set) and must be cut off; it reconnects with its
last sequence numbers, so nothing is lost.

A subscriber that follows one call (an agent's screen opened for a call) is
kept under that call's id and offered only its events: an event costs the
publisher the screens that may want it, not every screen connected (a
thousand agents' screens, most watching other calls).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ivr import events as ev

Event = ev.Event
EventFilter = Callable[[Event], bool]

__all__ = ["EventBus", "Subscription"]


class Subscription:
    def __init__(self, accepts: EventFilter, max_queue: int, call_id: str | None = None) -> None:
        self.accepts = accepts
        self.call_id = call_id  # the one call it follows, if it said so
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
        self._subscribers: list[Subscription] = []  # every call's events offered
        self._by_call: dict[str, list[Subscription]] = {}  # one call's events offered
        self._largest_gone = 0  # the largest backlog of subscribers that have left

    def deliver(self, event: Event, text: str) -> None:
        for sub in self._by_call.get(event.call_id, ()):
            if sub.accepts(event):
                sub.offer(event)
        for sub in self._subscribers:
            if sub.accepts(event):
                sub.offer(event)

    def close(self) -> None:
        return None

    @property
    def largest_backlog(self) -> int:
        """The most events any subscriber (now or gone) had waiting."""
        return max([self._largest_gone, *(s.largest_backlog for s in self.all_subscriptions())])

    @property
    def subscribers(self) -> int:
        return len(self._subscribers) + sum(len(subs) for subs in self._by_call.values())

    def all_subscriptions(self) -> list[Subscription]:
        return [*self._subscribers, *(s for subs in self._by_call.values() for s in subs)]

    def subscribe(self, accepts: EventFilter, call_id: str | None = None) -> Subscription:
        """``accepts`` decides which events the subscriber gets; ``call_id``
        (if given) promises it wants no other call's events."""
        sub = Subscription(accepts, self.max_queue, call_id)
        (self._subscribers if call_id is None else self._by_call.setdefault(call_id, [])).append(
            sub
        )
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subscribers if sub.call_id is None else self._by_call.get(sub.call_id, [])
        if sub in subs:
            subs.remove(sub)
            if not subs and sub.call_id is not None:
                del self._by_call[sub.call_id]
            self._largest_gone = max(self._largest_gone, sub.largest_backlog)
