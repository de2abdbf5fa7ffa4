"""The small recogniser interface every offline speech engine implements.

An engine holds what is shared by all calls (the model); a recogniser is one
per call channel and is fed PCM16 mono audio in order. Word times are audio
time from the start of that channel's stream, in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ivr.events import Word

UNKNOWN_WORD = "[unk]"


@dataclass(frozen=True)
class AsrResult:
    """A partial (still changing) or final (endpointed) recognition result."""

    text: str
    words: tuple[Word, ...]
    final: bool

    @property
    def empty(self) -> bool:
        return not self.text


class Recognizer(Protocol):
    rate_hz: int

    def accept(self, pcm: bytes) -> AsrResult:
        """Feed PCM16 LE mono at ``rate_hz``; return a final result at an
        endpoint, otherwise the current partial."""
        ...

    def finish(self) -> AsrResult:
        """End of stream: the final result for whatever audio is pending."""
        ...

    def reset(self) -> None:
        """Drop pending audio; later word times keep counting from the stream start."""
        ...


class SpeechEngine(Protocol):
    language: str
    # How many words it can output (a vosk model's words.txt); None: unknown.
    vocabulary_words: int | None

    def recognizer(self, rate_hz: int, phrases: Sequence[str] | None = None) -> Recognizer:
        """A new recogniser for one call channel, optionally limited to ``phrases``."""
        ...
