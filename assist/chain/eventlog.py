"""The event log: per-call sequence numbers, a bounded in-memory history and
the store behind it.

Every published event gets the next sequence number of its call and its wire
form (encoded once for every sink), and is kept in the call's in-memory
history; with a store, the chain's store sink hands it to the log's
background :class:`~assist.store.BatchWriter` (audio excepted), so
publishing stays an in-memory append.

Memory stays bounded over a long day: an ended call leaves memory
``retain_ended_s`` (wall clock) after its end, once everything it stored is
acknowledged; a live call keeps at most ``max_events_in_memory`` events,
older acknowledged ones are left to the store. "Everything after N" is then
answered from memory where it can be and from the store for the rest
(:meth:`EventLog.history`, which reads the store in a worker thread, never
on the event loop).

A call this process has not seen may have been stored before a restart:
:meth:`EventLog.open_call` (awaitable, reads the store off the loop) says
where it stands, so the call continues its sequence and its audio time, and
is not started twice (its numbering skips ``RESUME_SEQ_GAP`` numbers, so
an event a screen saw just before a crash never shares its number with a
later one). :meth:`EventLog.publish` never reads the store: a call nobody
opened is numbered as a new one. No asyncio, sockets or SQL here beyond
that one ``to_thread``: the log is plain data and a clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from assist.store import BatchWriter, CallRecord, CallStore, ResumePoint
from ivr import events as ev
from ivr import wire

Event = ev.Event
EventFilter = Callable[[Event], bool]
Entry = tuple[Event, str]  # an event and its wire form

DEFAULT_RETAIN_ENDED_S = 300.0
DEFAULT_MAX_EVENTS_IN_MEMORY = 5000
# A call continued from the store skips this many numbers: a crash loses the
# events published but not yet committed (the last few milliseconds), and a
# screen may have seen some of them; their numbers are never used again.
RESUME_SEQ_GAP = 1000


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
    """What the log persists: everything but raw audio."""
    return not isinstance(event, ev.AudioChunk)


@dataclass
class _CallLog:
    next_seq: int  # the seq the next published event gets
    first_seq: int  # the seq of events[0]; earlier ones are only in the store
    events: list[Event] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    last_stored_seq: int = 0  # the newest event this process handed to the store writer
    started: bool = False  # a CallStarted is published (here or before a restart)
    ended_at: float | None = None  # clock time of its CallEnded
    remote: bool = False  # another node's call, known from the broker (see insert)


class RemoteHistory(Protocol):
    """Where calls of other nodes come from (the broker's stream; see
    :mod:`assist.cluster`): their events after N, and where one stands."""

    async def history(self, call_id: str, after_seq: int) -> list[Entry]: ...

    async def resume_point(self, call_id: str) -> ResumePoint: ...


class EventLog:
    def __init__(
        self,
        store: CallStore | None = None,
        *,
        retain_ended_s: float = DEFAULT_RETAIN_ENDED_S,
        max_events_in_memory: int = DEFAULT_MAX_EVENTS_IN_MEMORY,
        persist: EventFilter = stored_by_default,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_events_in_memory < 2:
            raise ValueError("max_events_in_memory must be at least 2")
        self.store = store
        self.retain_ended_s = retain_ended_s
        self.max_events_in_memory = max_events_in_memory
        self.persist = persist
        self.clock = clock
        self.calls: dict[str, CallSummary] = {}
        self._logs: dict[str, _CallLog] = {}
        self._ended: deque[tuple[float, str]] = deque()  # (ended at, call id), oldest first
        self.writer: BatchWriter | None = BatchWriter(store) if store is not None else None
        self.remote: RemoteHistory | None = None  # with a broker: other nodes' calls

    # ---------------------------------------------------------------- writing

    def publish(self, event: Event) -> Entry:
        """Number, encode, keep (and queue for the store) one event."""
        log = self._logs.get(event.call_id)
        if log is None:
            # A driver that did not open the call first: a new call (the store
            # is never read here, on the publisher's path).
            log = self._open(event.call_id, ResumePoint())
        event = dataclasses.replace(event, seq=log.next_seq)
        log.next_seq += 1
        text = wire.encode(event)
        log.events.append(event)
        log.texts.append(text)
        if self.writer is not None and self.persist(event):
            log.last_stored_seq = event.seq  # the store sink queues it
        if isinstance(event, ev.CallStarted):
            log.started = True
            log.ended_at = None
        elif isinstance(event, ev.CallEnded):
            log.ended_at = self.clock()
            self._ended.append((log.ended_at, event.call_id))
        self._summarise(event)
        if len(log.events) > self.max_events_in_memory:
            self._trim(event.call_id, log)
        if self._ended and self._ended[0][0] + self.retain_ended_s <= self.clock():
            self.prune()
        return event, text

    def insert(self, event: Event, text: str) -> bool:
        """Keep another node's event with its own seq (not stored here: that
        node's events reach the store by the broker). False if it is not
        newer than what the log has of the call."""
        log = self._logs.get(event.call_id)
        if log is None:
            log = self._logs[event.call_id] = _CallLog(event.seq, event.seq, remote=True)
        if event.seq < log.next_seq:
            return False
        log.next_seq = event.seq + 1
        log.events.append(event)
        log.texts.append(text)
        if isinstance(event, ev.CallStarted):
            log.started, log.ended_at = True, None
        elif isinstance(event, ev.CallEnded):
            log.ended_at = self.clock()
            self._ended.append((log.ended_at, event.call_id))
        self._summarise(event)
        if len(log.events) > self.max_events_in_memory and self.remote is not None:
            keep = self.max_events_in_memory // 2  # the rest stays in the broker's stream
            log.first_seq = log.events[-keep].seq
            del log.events[:-keep], log.texts[:-keep]
        return True

    def is_remote(self, call_id: str) -> bool:
        """Is the call another node's (known here only from the broker)?"""
        log = self._logs.get(call_id)
        return log is not None and log.remote

    async def open_call(self, call_id: str) -> ResumePoint:
        """Where a call stands before a driver feeds it: from memory, else
        from the store (read in a worker thread). A call found in the store
        continues its numbering; ``started`` says not to start it again."""
        log = self._logs.get(call_id)
        if log is None:
            point, record = ResumePoint(), None
            if self.store is not None:
                point, record = await asyncio.to_thread(self._stored, call_id)
            if not point.last_seq and self.remote is not None:
                point = await self.remote.resume_point(call_id)  # a call another node had
            log = self._logs.get(call_id)  # published meanwhile?
            if log is None:
                log = self._open(call_id, point)
                if point.last_seq:
                    self._restore_summary(call_id, point, record)
                return point
        summary = self.calls.get(call_id)
        audio_s = summary.last_audio_s if summary is not None else 0.0
        if log.remote:  # another node's call goes on here (that node died)
            log.remote = False
            log.next_seq += RESUME_SEQ_GAP
        if log.ended_at is not None:  # it ended, and goes on: live again, kept in memory
            log.ended_at = None
            if summary is not None:
                summary.live = True
        return ResumePoint(log.next_seq - 1, audio_s, log.started)

    def _open(self, call_id: str, point: ResumePoint) -> _CallLog:
        first = point.last_seq + 1 + (RESUME_SEQ_GAP if point.last_seq else 0)
        return self._logs.setdefault(
            call_id, _CallLog(next_seq=first, first_seq=first, started=point.started)
        )

    def _stored(self, call_id: str) -> tuple[ResumePoint, CallRecord | None]:
        """Where a stored call stands, and its row (reads the store: off the loop)."""
        assert self.store is not None
        point = self.store.resume_point(call_id)
        return point, (self.store.call(call_id) if point.last_seq else None)

    def _restore_summary(self, call_id: str, point: ResumePoint, record: CallRecord | None) -> None:
        summary = self.calls.setdefault(call_id, CallSummary(call_id))
        summary.last_seq = max(summary.last_seq, point.last_seq)
        summary.last_audio_s = max(summary.last_audio_s, point.audio_s)
        if record is not None:
            summary.language = summary.language or record.language
            summary.agent_id = summary.agent_id or record.agent_id
            summary.peak_score = max(summary.peak_score, record.peak_score)
            summary.flagged = summary.flagged or record.flagged

    def adopt(self, summary: CallSummary, *, ended: bool) -> None:
        """Put a stored call on the list (after a restart) without its events:
        they stay in the store until asked for. An ended one leaves memory
        like any ended call."""
        if summary.call_id in self._logs:
            return
        self.calls[summary.call_id] = summary
        log = self._open(
            summary.call_id, ResumePoint(summary.last_seq, summary.last_audio_s, started=True)
        )
        if ended:
            log.ended_at = self.clock()
            self._ended.append((log.ended_at, summary.call_id))

    # ---------------------------------------------------------------- memory

    def _trim(self, call_id: str, log: _CallLog) -> None:
        """Leave the older half of a long call's events to the store (only
        those already acknowledged; without a store nothing is dropped)."""
        if self.writer is None:
            return
        committed = self.writer.committed_seq(call_id)
        keep_from = min(log.first_seq + len(log.events) // 2, committed + 1)
        drop = keep_from - log.first_seq
        if drop <= 0:
            return
        del log.events[:drop]
        del log.texts[:drop]
        log.first_seq = keep_from

    def prune(self) -> list[str]:
        """Forget ended calls whose retention has passed and whose stored
        events are acknowledged; returns their ids."""
        now = self.clock()
        gone: list[str] = []
        while self._ended and self._ended[0][0] + self.retain_ended_s <= now:
            ended_at, call_id = self._ended[0]
            log = self._logs.get(call_id)
            if log is None or log.ended_at != ended_at:
                self._ended.popleft()  # forgotten already, or started again since
                continue
            if self.writer is not None and self.writer.committed_seq(call_id) < log.last_stored_seq:
                break  # still being written: try again later
            self._ended.popleft()
            del self._logs[call_id]
            self.calls.pop(call_id, None)
            if self.writer is not None:
                self.writer.forget(call_id)
            gone.append(call_id)
        return gone

    @property
    def calls_in_memory(self) -> int:
        return len(self._logs)

    @property
    def events_in_memory(self) -> int:
        return sum(len(log.events) for log in self._logs.values())

    # ---------------------------------------------------------------- reading

    def last_seq(self, call_id: str) -> int:
        log = self._logs.get(call_id)
        return log.next_seq - 1 if log is not None else 0

    def recent(self, call_id: str, after_seq: int = 0) -> list[Entry] | None:
        """The call's events after ``after_seq`` if memory holds all of them;
        None if some must come from the store."""
        log = self._logs.get(call_id)
        if log is None:
            return None if self.store is not None else []
        if after_seq + 1 < log.first_seq and self.store is not None:
            return None
        start = max(0, after_seq + 1 - log.first_seq)
        return list(zip(log.events[start:], log.texts[start:], strict=True))

    async def history(self, call_id: str, after_seq: int = 0) -> list[Entry]:
        """Everything of the call after ``after_seq``, nothing before: from
        memory, with the part memory no longer holds read from the store in
        a worker thread (with a broker: from its stream)."""
        log = self._logs.get(call_id)
        # Another node's call, or one this node has no store for: from the stream.
        if self.remote is not None and (log is None or log.remote or self.store is None):
            if log is None or after_seq + 1 < log.first_seq:
                older = await self.remote.history(call_id, after_seq)
                if log is None:
                    return older
                first = log.first_seq
                return [e for e in older if e[0].seq < first] + (
                    self.recent(call_id, max(after_seq, first - 1)) or []
                )
        in_memory = self.recent(call_id, after_seq)
        if in_memory is not None:
            return in_memory
        return await asyncio.to_thread(self._history_with_store, call_id, after_seq)

    def history_now(self, call_id: str, after_seq: int = 0) -> list[Entry]:
        """:meth:`history` for callers off the event loop (may read the store here)."""
        in_memory = self.recent(call_id, after_seq)
        return in_memory if in_memory is not None else self._history_with_store(call_id, after_seq)

    def _history_with_store(self, call_id: str, after_seq: int) -> list[Entry]:
        assert self.store is not None
        log = self._logs.get(call_id)
        first_in_memory = log.first_seq if log is not None else None
        older = self.store.events_after(call_id, after_seq)
        if first_in_memory is not None:
            older = [e for e in older if e.seq < first_in_memory]
        entries = [(e, wire.encode(e)) for e in older]
        newer = self.recent(call_id, max(after_seq, (first_in_memory or 1) - 1)) or []
        return entries + newer

    def encoded(self, event: Event) -> str:
        """The wire form of a published event (encoded on demand if it has
        left memory or came from the store)."""
        log = self._logs.get(event.call_id)
        if log is not None:
            index = event.seq - log.first_seq
            if 0 <= index < len(log.events) and log.events[index].seq == event.seq:
                return log.texts[index]
        return wire.encode(event)

    def live_or_recent(self, window_s: float) -> list[str]:
        """Calls a new supervisor is shown: live ones and those that ended
        less than ``window_s`` ago, in the order they became known."""
        now = self.clock()
        return [
            call_id
            for call_id, log in self._logs.items()
            if call_id in self.calls and (log.ended_at is None or now - log.ended_at < window_s)
        ]

    # ---------------------------------------------------------------- summary

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
