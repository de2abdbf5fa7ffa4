"""The outbound chain: one path out of the per-call pipeline for every driver.

::

    per-call pipeline (anger core, advisor, IVR)
       -> redactor        (one per call: PII out of words, reasons, suggestions)
       -> event log       (per-call seq, bounded history, store-backed)
       -> sinks           (store writer | screens fan-out | console | broker)

:meth:`EventChain.publish` takes one event of a call and returns it as it
left the chain (redacted and numbered), or None if it was withheld. Audio
chunks and per-frame prosody are not logged (no seq, no sink): they pass
through and come back unchanged, so an offline driver can still draw its
report's loudness and pitch from them.

A broken stage stays inside its call and its event: an exception in a sink
ends that event's delivery to that sink (logged with the sink and the call
id); an exception in the redactor withholds that event (logged, and an
``Error`` event tells the call's screens), since an event the redactor did
not pass must never go out as it was. Logs never quote an event's words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from assist.chain.eventlog import (
    DEFAULT_MAX_EVENTS_IN_MEMORY,
    DEFAULT_RETAIN_ENDED_S,
    CallSummary,
    EventLog,
    stored_by_default,
)
from assist.chain.sink import Sink
from assist.store import CallStore, ResumePoint
from ivr import events as ev

log = logging.getLogger(__name__)

Event = ev.Event
EventFilter = Callable[[Event], bool]

# What goes through the log to the sinks: everything a screen, the store or
# a report reads. Raw audio and per-frame prosody stay in the process.
UNLOGGED = (ev.AudioChunk, ev.ProsodyFrame)
# Events that carry no words: passed on even if the redactor fails on them,
# so a call never loses its start or its end.
WORDLESS = (ev.CallStarted, ev.CallEnded, ev.SuggestionFeedback)


def logged(event: Event) -> bool:
    """What the chain numbers, keeps and delivers (the screen vocabulary)."""
    return not isinstance(event, UNLOGGED)


class Redactor(Protocol):
    """One call's redactor (see :mod:`assist.redact`): stateful, one event in,
    one event out (the same object when there is nothing to redact)."""

    spans_s: list[tuple[float, float]]

    def redact(self, event: Event) -> Event: ...


# Makes a call's redactor from its id and language.
RedactorFactory = Callable[[str, str], Redactor]


class _Identity:
    """The redactor of a chain that redacts nothing (``--no-redact``, tests)."""

    def __init__(self) -> None:
        self.spans_s: list[tuple[float, float]] = []

    def redact(self, event: Event) -> Event:
        return event


def no_redaction(call_id: str, language: str) -> Redactor:
    return _Identity()


class StoreSink:
    """Hands each stored event to the log's background store writer."""

    name = "store"

    def __init__(self, event_log: EventLog) -> None:
        assert event_log.writer is not None
        self.writer = event_log.writer
        self.persist = event_log.persist

    def deliver(self, event: Event, text: str) -> None:
        if self.persist(event):
            self.writer.put(event, text)

    def close(self) -> None:
        self.writer.close()


class EventChain:
    def __init__(
        self,
        store: CallStore | None = None,
        *,
        redactor_for: RedactorFactory = no_redaction,
        sinks: Sequence[Sink] = (),
        retain_ended_s: float = DEFAULT_RETAIN_ENDED_S,
        max_events_in_memory: int = DEFAULT_MAX_EVENTS_IN_MEMORY,
        persist: EventFilter = stored_by_default,
        log: EventLog | None = None,
    ) -> None:
        """``store``: the log is backed by it and a store sink writes to it
        (first of the sinks); ``redactor_for`` makes each call's redactor."""
        self.log = log or EventLog(
            store,
            retain_ended_s=retain_ended_s,
            max_events_in_memory=max_events_in_memory,
            persist=persist,
        )
        self.redactor_for = redactor_for
        self._redactors: dict[str, Redactor] = {}
        self._sinks: list[Sink] = []
        self.sink_errors = 0  # deliveries that failed (for /status and tests)
        self.withheld = 0  # events the redactor failed on
        if self.log.writer is not None:
            self._sinks.append(StoreSink(self.log))
        for sink in sinks:
            self.add_sink(sink)

    # ------------------------------------------------------------------ sinks

    def add_sink(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def remove_sink(self, sink: Sink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    @property
    def sinks(self) -> list[Sink]:
        return list(self._sinks)

    # --------------------------------------------------------------- publish

    def publish(self, event: Event) -> Event | None:
        """One event through the chain; returns it as it left (redacted,
        numbered), the event itself if it is not logged, or None if the
        redactor failed on it."""
        if not logged(event):
            return event
        passed = self._redact(event)
        return self._out(passed) if passed is not None else None

    def _out(self, event: Event) -> Event:
        """Number and log an event that passed the redactor; deliver it."""
        numbered, text = self.log.publish(event)
        for sink in self._sinks:
            try:
                sink.deliver(numbered, text)
            except Exception as exc:  # one sink, one event: never the call
                self.sink_errors += 1
                log.error(
                    "sink %s failed on %s #%d of call %s: %s",
                    sink.name,
                    type(numbered).__name__,
                    numbered.seq,
                    numbered.call_id,
                    type(exc).__name__,
                )
                log.debug("sink failure", exc_info=True)
        if isinstance(numbered, ev.CallEnded):
            self._redactors.pop(numbered.call_id, None)
        return numbered

    def _redact(self, event: Event) -> Event | None:
        call_id = event.call_id
        redactor = self._redactors.get(call_id)
        try:
            if redactor is None:
                redactor = self._redactors[call_id] = self.redactor_for(
                    call_id, self._language(event)
                )
            return redactor.redact(event)
        except Exception as exc:
            self.withheld += 1
            log.error(
                "redactor failed on %s of call %s: %s (the event is withheld)",
                type(event).__name__,
                call_id,
                type(exc).__name__,
            )
            log.debug("redactor failure", exc_info=True)
            if isinstance(event, WORDLESS):
                return event
            # Our own words, nothing of the customer's: not redacted again.
            withheld = f"an event was withheld ({type(exc).__name__})"
            self._out(ev.Error(call_id, "redaction", withheld))
            return None

    def _language(self, event: Event) -> str:
        if isinstance(event, ev.CallStarted):
            return event.language
        summary = self.log.calls.get(event.call_id)
        return summary.language if summary is not None else ""

    def redacted_spans_s(self, call_id: str) -> list[tuple[float, float]]:
        """The customer audio the call's redactor has redacted so far (for
        its recording)."""
        redactor = self._redactors.get(call_id)
        return list(redactor.spans_s) if redactor is not None else []

    # ------------------------------------------------------------ the log

    @property
    def store(self) -> CallStore | None:
        return self.log.store

    @property
    def calls(self) -> dict[str, CallSummary]:
        return self.log.calls

    async def open_call(self, call_id: str) -> ResumePoint:
        """Where a call stands before a driver feeds it (reads the store off the loop)."""
        return await self.log.open_call(call_id)

    def history(self, call_id: str, after_seq: int = 0) -> list[Event]:
        """Everything of a call after ``after_seq`` (may read the store here:
        on the event loop use ``await chain.log.history(...)``)."""
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

    def close(self) -> None:
        """Close every sink (the store's last: its writer commits what is left)."""
        for sink in reversed(self._sinks):
            try:
                sink.close()
            except Exception as exc:
                log.error("sink %s failed to close: %s", sink.name, type(exc).__name__)

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
