"""The one typed event vocabulary shared by the voice layer and the assist layer.

It lives in the bottom layer (`ivr`) because both layers speak it: the IVR
consumes anger updates, the assist layer consumes audio chunks and
transcripts. Every event is a frozen dataclass; times are audio time in
seconds (derived from sample counts), never the wall clock. Events pushed to
screens carry ``call_id`` and a per-call ``seq`` that the hub assigns.
The wire form of all of them is produced by :mod:`ivr.wire`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class ChannelRole(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"


class AngerLevel(StrEnum):
    CALM = "calm"
    TENSE = "tense"
    ANGRY = "angry"


class Trend(StrEnum):
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"


class SuggestionKind(StrEnum):
    PHRASE = "phrase"  # something the agent can say
    CUE = "cue"  # a behaviour cue: lower your voice, pause, let them finish
    WARNING = "warning"  # the agent said or did something the principles warn against


class Verdict(StrEnum):
    USED = "used"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class AudioChunk:
    """Mono PCM16 little-endian audio of one call channel.

    ``start_sample`` counts samples since the channel started, so the chunk's
    audio time is exact and independent of the wall clock.
    """

    call_id: str
    role: ChannelRole
    rate_hz: int
    pcm: bytes
    start_sample: int = 0
    seq: int = 0

    @property
    def n_samples(self) -> int:
        return len(self.pcm) // 2

    @property
    def start_s(self) -> float:
        return self.start_sample / self.rate_hz

    @property
    def end_s(self) -> float:
        return (self.start_sample + self.n_samples) / self.rate_hz

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.rate_hz

    def samples(self) -> np.ndarray:
        """The samples as an int16 array (a view on ``pcm``, read-only)."""
        return np.frombuffer(self.pcm, dtype="<i2")


@dataclass(frozen=True)
class Word:
    word: str
    start_s: float
    end_s: float
    conf: float


@dataclass(frozen=True)
class TranscriptPartial:
    call_id: str
    role: ChannelRole
    text: str
    words: tuple[Word, ...] = ()
    at_s: float = 0.0
    seq: int = 0


@dataclass(frozen=True)
class TranscriptFinal:
    call_id: str
    role: ChannelRole
    text: str
    words: tuple[Word, ...] = ()
    at_s: float = 0.0
    seq: int = 0


@dataclass(frozen=True)
class ProsodyFrame:
    call_id: str
    role: ChannelRole
    at_s: float
    loudness_db: float
    f0_hz: float | None
    voiced: bool
    speaking_rate_sps: float | None = None  # syllables (or words) per second
    seq: int = 0


@dataclass(frozen=True)
class AngerReason:
    """One reason behind an anger score: readable ``text`` (in the call's
    language) and its structure, so that nothing downstream parses the text.

    ``kind`` is ``keyword:<lexicon category>`` for words, else the voice cue
    (``pitch``, ``loudness``, ``brightness``, ``talk_over``...); ``words`` are
    the spoken words a keyword reason rests on; ``value`` is the measured
    amount (e.g. +4.2 semitones, +6 dB) where there is one."""

    kind: str
    text: str
    weight: float
    words: str = ""
    value: float | None = None


@dataclass(frozen=True)
class AngerUpdate:
    call_id: str
    at_s: float
    score: float
    level: AngerLevel
    trend: Trend
    reasons: tuple[AngerReason, ...] = ()
    seq: int = 0


@dataclass(frozen=True)
class Suggestion:
    call_id: str
    suggestion_id: str
    text: str
    principle: str
    trigger: str
    language: str
    kind: SuggestionKind = SuggestionKind.PHRASE
    at_s: float = 0.0
    seq: int = 0


@dataclass(frozen=True)
class SuggestionFeedback:
    call_id: str
    suggestion_id: str
    verdict: Verdict
    at_s: float = 0.0
    seq: int = 0


@dataclass(frozen=True)
class CallStarted:
    call_id: str
    language: str
    agent_id: str = ""
    source: str = ""
    at_s: float = 0.0
    seq: int = 0


@dataclass(frozen=True)
class CallEnded:
    call_id: str
    at_s: float
    reason: str = "hangup"
    seq: int = 0


@dataclass(frozen=True)
class CallFlagged:
    call_id: str
    at_s: float
    level: AngerLevel
    reason: str
    seq: int = 0


@dataclass(frozen=True)
class IvrAction:
    call_id: str
    at_s: float
    action: str  # play | listen | transfer | hangup | ...
    node: str = ""
    detail: dict[str, str] = field(default_factory=dict)
    seq: int = 0


@dataclass(frozen=True)
class Error:
    call_id: str
    code: str
    message: str
    seq: int = 0


Event = (
    AudioChunk
    | TranscriptPartial
    | TranscriptFinal
    | ProsodyFrame
    | AngerUpdate
    | Suggestion
    | SuggestionFeedback
    | CallStarted
    | CallEnded
    | CallFlagged
    | IvrAction
    | Error
)

EVENT_TYPES: tuple[type, ...] = (
    AudioChunk,
    TranscriptPartial,
    TranscriptFinal,
    ProsodyFrame,
    AngerUpdate,
    Suggestion,
    SuggestionFeedback,
    CallStarted,
    CallEnded,
    CallFlagged,
    IvrAction,
    Error,
)
