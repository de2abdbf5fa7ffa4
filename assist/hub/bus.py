"""In-process fan-out of the event log to the screens.

:class:`EventBus` puts each event in the :class:`~assist.hub.eventlog.EventLog`
(sequence numbers, bounded history, the store) and offers it to each
subscriber's bounded queue. A subscriber that falls behind never slows the
publisher: its partial transcripts are coalesced away first, and if it still
cannot keep up it is marked overflowed (``overflow`` is set) and must be cut
off; it reconnects with its last sequence numbers, so nothing is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from assist.hub.eventlog import (
    DEFAULT_MAX_EVENTS_IN_MEMORY,
    DEFAULT_RETAIN_ENDED_S,
    CallSummary,
    EventLog,
    stored_by_default,
)
from assist.store import CallStore
from ivr import events as ev

Event = ev.Event
EventFilter = Callable[[Event], bool]

__all__ = ["CallSummary", "EventBus", "Subscription", "stored_by_default"]


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
    """The event log plus fan-out to subscribers."""

    def __init__(
        self,
        max_queue: int = 1000,
        store: CallStore | None = None,
        *,
        retain_ended_s: float = DEFAULT_RETAIN_ENDED_S,
        max_events_in_memory: int = DEFAULT_MAX_EVENTS_IN_MEMORY,
        persist: EventFilter = stored_by_default,
        log: EventLog | None = None,
    ) -> None:
        self.max_queue = max_queue
        self.log = log or EventLog(
            store,
            retain_ended_s=retain_ended_s,
            max_events_in_memory=max_events_in_memory,
            persist=persist,
        )
        self._subscribers: list[Subscription] = []
        self._largest_gone = 0  # the largest backlog of subscribers that have left

    @property
    def store(self) -> CallStore | None:
        return self.log.store

    @property
    def calls(self) -> dict[str, CallSummary]:
        return self.log.calls

    def publish(self, event: Event) -> Event:
        event, _ = self.log.publish(event)
        for sub in self._subscribers:
            if sub.accepts(event):
                sub.offer(event)
        return event

    @property
    def largest_backlog(self) -> int:
        """The most events any subscriber (now or gone) had waiting."""
        return max([self._largest_gone, *(s.largest_backlog for s in self._subscribers)])

    def history(self, call_id: str, after_seq: int = 0) -> list[Event]:
        """Everything of a call after ``after_seq`` (may read the store here:
        on the event loop use ``await bus.log.history(...)``)."""
        return [e for e, _ in self.log.history_now(call_id, after_seq)]

    def encoded(self, event: Event) -> str:
        return self.log.encoded(event)

    def flush_store(self, timeout_s: float = 30.0) -> None:
        """Wait until every event published so far is committed to the store."""
        if self.log.writer is not None:
            self.log.writer.flush(timeout_s)

    def close_store(self, timeout_s: float = 30.0) -> None:
        """Commit what is pending and stop the store's writer thread."""
        if self.log.writer is not None:
            self.log.writer.close(timeout_s)

    def restore_calls(self, limit: int = 50) -> list[str]:
        """Put the store's most recent live calls on the supervisor's list;
        returns their ids. Their events stay in the store until asked for;
        ended ones leave memory like any ended call, unended ones (cut off
        by a crash) stay live until they go on or are ended. Reads the
        store: call it before serving, or in a worker thread."""
        store = self.log.store
        if store is None:
            return []
        restored = []
        for record in reversed(store.calls(limit)):
            if record.call_id in self.calls or record.origin != "live":
                continue
            summary = CallSummary(
                record.call_id,
                language=record.language,
                agent_id=record.agent_id,
                live=not record.ended,
                level=record.peak_level,
                score=record.peak_score,
                peak_score=record.peak_score,
                flagged=record.flagged,
                last_seq=record.last_seq,
                last_audio_s=record.duration_s or 0.0,
            )
            if not record.ended:  # cut off by a crash: it may go on
                summary.last_audio_s = store.resume_point(record.call_id).audio_s
            self.log.adopt(summary, ended=record.ended)
            restored.append(record.call_id)
        return restored

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
