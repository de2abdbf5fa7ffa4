"""A recording whose words are already known (the recorder's transcript, or
a whole-file engine's): the same feed loop and pipeline as live and as
:func:`assist.offline.run_recording`, with a "recogniser" that hands over
each utterance as a final result in the first 20 ms batch of audio that
reaches the utterance's end."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assist.offline import CallRun, feed_offline
from assist.pipeline import CallPipeline
from assist.replay.transcript_file import RecordedTranscript, Utterance
from ivr import events as ev
from ivr.asr.base import AsrResult
from ivr.audio.frames import FRAME_MS, CustomerChannel
from ivr.sources import WavSource


class KnownWords:
    """One channel's utterances, due as the audio reaches their end."""

    def __init__(self, utterances: Sequence[Utterance], rate_hz: int) -> None:
        self.rate_hz = rate_hz
        self._pending = sorted(utterances, key=lambda u: u.end_s)
        self._next = 0
        self._heard_samples = 0

    def _due(self, until_s: float) -> list[AsrResult]:
        out = []
        while self._next < len(self._pending) and self._pending[self._next].end_s <= until_s:
            u = self._pending[self._next]
            out.append(AsrResult(u.text, u.words, final=True))
            self._next += 1
        return out

    def accept_many(self, pcm: bytes) -> list[AsrResult]:
        self._heard_samples += len(pcm) // 2
        return self._due(self._heard_samples / self.rate_hz)

    def finish_many(self) -> list[AsrResult]:
        return self._due(float("inf"))  # words after the audio's end (a clipped recording)

    # The Recognizer interface, for completeness (the feed loop prefers the above).
    def accept(self, pcm: bytes) -> AsrResult:
        return (self.accept_many(pcm) or [AsrResult("", (), final=False)])[-1]

    def finish(self) -> AsrResult:
        return (self.finish_many() or [AsrResult("", (), final=True)])[-1]

    def reset(self) -> None:
        return None


class TranscriptEngine:
    """A "speech engine" whose recognisers read a known transcript: the feed
    loop asks for one per channel, in the order the channels' audio starts."""

    vocabulary_words: int | None = None  # whatever recognised the words: not known here

    def __init__(
        self, transcript: RecordedTranscript, language: str, roles: Sequence[ev.ChannelRole]
    ) -> None:
        self.language = language
        self.transcript = transcript
        self._roles = list(roles)

    def recognizer(self, rate_hz: int, phrases: Sequence[str] | None = None) -> KnownWords:
        role = self._roles.pop(0)
        return KnownWords([u for u in self.transcript.utterances if u.role == role], rate_hz)


def run_transcribed(
    path: Path,
    transcript: RecordedTranscript,
    language: str,
    *,
    call_id: str | None = None,
    customer_channel: CustomerChannel = "left",
) -> CallRun:
    call_id = call_id or path.stem
    source = WavSource(path, call_id=call_id, customer_channel=customer_channel)
    pipeline = CallPipeline.create(
        call_id, language, agent_id=transcript.agent_id, source=str(path.name)
    )
    chunks = list(source.chunks())
    roles = list(dict.fromkeys(c.role for c in chunks))
    engine = TranscriptEngine(transcript, language, roles)
    events = feed_offline(chunks, pipeline, engine, batch_s=FRAME_MS / 1000)
    return CallRun(path, call_id, source.duration_s, events)
