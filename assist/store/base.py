"""The call store's interface: what the hub, replay and reports need from a
database, so a server database can take SQLite's place.

Everything stored is an event of :mod:`ivr.events` with its per-call ``seq``
(assigned by the hub's bus, or by replay); the store keeps them append-only
and derives what queries need (a row per call, the transcript's words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from ivr import events as ev

Origin = Literal["live", "replay"]


class StoreError(RuntimeError):
    """A store that cannot be opened or written; the message says what to do."""


@dataclass(frozen=True)
class CallRecord:
    """One stored call, as a list of calls shows it."""

    call_id: str
    origin: Origin
    language: str
    agent_id: str  # who took the call ("" when unknown, e.g. a replayed recording)
    source: str
    first_stored_at: str  # wall clock, ISO 8601 UTC: when the store first saw the call
    ended: bool
    duration_s: float | None  # audio time of CallEnded
    last_seq: int
    peak_score: float
    peak_level: ev.AngerLevel
    first_flag_s: float | None  # audio time of the first CallFlagged
    flagged: bool
    engine: str = "vosk"  # the speech engine whose words the call's events carry


@dataclass(frozen=True)
class WordHit:
    """Where a word was said: a row of the transcript's word index."""

    call_id: str
    seq: int  # the TranscriptFinal it belongs to
    role: ev.ChannelRole
    word: str
    start_s: float
    end_s: float
    conf: float


@dataclass(frozen=True)
class StoredTranscript:
    """Another engine's transcript of a stored call (the post-call pass):
    the words in the recorder-transcript format (``transcript``, JSON text,
    see :mod:`assist.replay.transcript_file`) and the per-call pipeline's
    events re-run on them (the anger timeline, numbered from 1)."""

    call_id: str
    engine: str
    language: str
    created_at: str  # wall clock, ISO 8601 UTC
    transcript: str
    events: tuple[ev.Event, ...]


@dataclass(frozen=True)
class ResumePoint:
    """Where a stored call stands, for a process that continues it after a
    restart: its last seq, the latest audio time of its events, whether its
    ``CallStarted`` is already stored."""

    last_seq: int = 0
    audio_s: float = 0.0
    started: bool = False


class CallStore(Protocol):
    """A durable, append-only home for every call's events.

    ``append`` returns only once the events are committed: that is what
    "acknowledged" means. A batch is atomic: all of it or none of it.
    """

    def append(self, events: Sequence[ev.Event], wire_texts: Sequence[str] | None = None) -> None:
        """Store live events (each with its ``seq`` >= 1). ``wire_texts``, when
        given, are their :func:`ivr.wire.encode` forms (saves encoding twice)."""
        ...

    def replace_call(
        self, call_id: str, events: Sequence[ev.Event], *, engine: str = "vosk"
    ) -> None:
        """Store a replayed call's events (words by ``engine``), replacing an
        earlier replay of the same call id; refuses to replace a live call."""
        ...

    def put_transcript(
        self,
        call_id: str,
        engine: str,
        language: str,
        transcript: str,
        events: Sequence[ev.Event],
    ) -> None:
        """Keep ``engine``'s transcript of the call beside the call's own
        events, replacing an earlier one by the same engine."""
        ...

    def transcripts(self, call_id: str) -> list[StoredTranscript]:
        """The call's further transcripts, by engine name."""
        ...

    def events_after(
        self,
        call_id: str,
        after_seq: int = 0,
        *,
        types: Sequence[type] | None = None,
        limit: int | None = None,
    ) -> list[ev.Event]:
        """The call's events with ``seq > after_seq`` in order (optionally only these types)."""
        ...

    def last_seq(self, call_id: str) -> int:
        """The highest stored ``seq`` of the call, 0 for an unknown call."""
        ...

    def resume_point(self, call_id: str) -> ResumePoint:
        """Where the call stands (all zero for an unknown call)."""
        ...

    def call(self, call_id: str) -> CallRecord | None: ...

    def calls(self, limit: int = 100, offset: int = 0) -> list[CallRecord]:
        """Stored calls, most recently first stored first."""
        ...

    def find_words(self, word: str, role: ev.ChannelRole | None = None) -> list[WordHit]:
        """Every time ``word`` (any case) was said in a final transcript."""
        ...

    def close(self) -> None: ...
