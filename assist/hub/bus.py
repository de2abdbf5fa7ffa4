"""In-process event fan-out with per-call sequence numbers and history.

Every published event gets the next sequence number of its call, is kept in
that call's history (so a client that reconnects asks for "everything after
N") and is offered to each subscriber's bounded queue. A subscriber that
falls behind never slows the publisher: its partial transcripts are
coalesced away first, and if it still cannot keep up it is cut off and must
reconnect with its last sequence number, so nothing is lost.

With a ``store`` every published event (audio chunks excepted) is also
written there by a background :class:`~assist.store.BatchWriter`, so publish
stays an in-memory append; :meth:`EventBus.flush_store` waits until all
published events are committed ("acknowledged"). History then reaches past a
restart: a call not (or no longer) in memory is answered from the store, and
a call that goes on after a restart continues its sequence numbers.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from assist.store import BatchWriter, CallStore
from ivr import events as ev
from ivr import wire

Event = ev.Event
EventFilter = Callable[[Event], bool]


@dataclass
class CallSummary:
    """What a supervisor's list shows for one call."""

    call_id: str
    language: str = ""
    agent_id: str = ""
    live: bool = True
    level: ev.AngerLevel = ev.AngerLevel.CALM
    score: float = 0.0
    peak_score: float = 0.0
    trend: ev.Trend = ev.Trend.STEADY
    top_reason: str = ""
    flagged: bool = False
    last_seq: int = 0
    last_audio_s: float = 0.0


def stored_by_default(event: Event) -> bool:
    """What the bus persists: everything but raw audio."""
    return not isinstance(event, ev.AudioChunk)


class Subscription:
    def __init__(self, accepts: EventFilter, max_queue: int) -> None:
        self.accepts = accepts
        self.queue: asyncio.Queue[Event] = asyncio.Queue(max_queue)
        self.overflowed = False

    def offer(self, event: Event) -> None:
        if self.overflowed:
            return
        if self.queue.full():
            self._drop_partials()
        if self.queue.full():
            if isinstance(event, ev.TranscriptPartial):
                return  # a later partial or the final supersedes it
            self.overflowed = True
            return
        self.queue.put_nowait(event)

    def _drop_partials(self) -> None:
        kept = [e for e in _drain(self.queue) if not isinstance(e, ev.TranscriptPartial)]
        for e in kept:
            self.queue.put_nowait(e)


def _drain(queue: asyncio.Queue[Event]) -> list[Event]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


@dataclass
class EventBus:
    max_queue: int = 1000
    _seq: dict[str, int] = field(default_factory=dict)
    _history: dict[str, list[Event]] = field(default_factory=dict)
    _wire_text: dict[tuple[str, int], str] = field(default_factory=dict)
    _subscribers: list[Subscription] = field(default_factory=list)
    calls: dict[str, CallSummary] = field(default_factory=dict)
    store: CallStore | None = None
    persist: EventFilter = stored_by_default
    _writer: BatchWriter | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.store is not None:
            self._writer = BatchWriter(self.store)

    def publish(self, event: Event) -> Event:
        last = self._seq.get(event.call_id)
        if last is None:
            # A call new to this process may have been stored before a restart.
            last = self.store.last_seq(event.call_id) if self.store is not None else 0
        seq = last + 1
        self._seq[event.call_id] = seq
        event = dataclasses.replace(event, seq=seq)
        self._history.setdefault(event.call_id, []).append(event)
        text = self._wire_text[(event.call_id, seq)] = wire.encode(event)
        if self._writer is not None and self.persist(event):
            self._writer.put(event, text)
        self._summarise(event)
        for sub in self._subscribers:
            if sub.accepts(event):
                sub.offer(event)
        return event

    def history(self, call_id: str, after_seq: int = 0) -> list[Event]:
        events = self._history.get(call_id, [])
        newer = [e for e in events if e.seq > after_seq]
        first_in_memory = events[0].seq if events else None
        if self.store is None or first_in_memory == 1:
            return newer
        if first_in_memory is not None and first_in_memory <= after_seq + 1:
            return newer
        # Older events (before a restart) or a call this process never saw.
        older = self.store.events_after(call_id, after_seq)
        if first_in_memory is not None:
            older = [e for e in older if e.seq < first_in_memory]
        return older + newer

    def encoded(self, event: Event) -> str:
        """The wire form of a published event, encoded once for every client
        (events read back from the store are encoded on demand)."""
        text = self._wire_text.get((event.call_id, event.seq))
        return text if text is not None else wire.encode(event)

    def flush_store(self, timeout_s: float = 30.0) -> None:
        """Wait until every event published so far is committed to the store."""
        if self._writer is not None:
            self._writer.flush(timeout_s)

    def close_store(self, timeout_s: float = 30.0) -> None:
        """Commit what is pending and stop the store's writer thread."""
        if self._writer is not None:
            self._writer.close(timeout_s)

    def restore_calls(self, limit: int = 50) -> list[str]:
        """Put the store's most recent calls on the supervisor's list (as
        ended, unless they go on); returns their ids. Their events stay in
        the store until asked for."""
        if self.store is None:
            return []
        restored = []
        for record in reversed(self.store.calls(limit)):
            if record.call_id in self.calls:
                continue
            self.calls[record.call_id] = CallSummary(
                record.call_id,
                language=record.language,
                agent_id=record.agent_id,
                live=False,
                level=record.peak_level,
                score=record.peak_score,
                peak_score=record.peak_score,
                flagged=record.flagged,
                last_seq=record.last_seq,
                last_audio_s=record.duration_s or 0.0,
            )
            restored.append(record.call_id)
        return restored

    def subscribe(self, accepts: EventFilter) -> Subscription:
        sub = Subscription(accepts, self.max_queue)
        self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    def _summarise(self, event: Event) -> None:
        summary = self.calls.setdefault(event.call_id, CallSummary(event.call_id))
        summary.last_seq = event.seq
        summary.last_audio_s = max(summary.last_audio_s, getattr(event, "at_s", 0.0))
        if isinstance(event, ev.CallStarted):
            summary.language, summary.agent_id, summary.live = event.language, event.agent_id, True
        elif isinstance(event, ev.CallEnded):
            summary.live = False
        elif isinstance(event, ev.AngerUpdate):
            summary.level, summary.score, summary.trend = event.level, event.score, event.trend
            summary.peak_score = max(summary.peak_score, event.score)
            if event.reasons:
                summary.top_reason = max(event.reasons, key=lambda r: r.weight).text
        elif isinstance(event, ev.CallFlagged):
            summary.flagged = True
