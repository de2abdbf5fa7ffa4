"""Recognition of a whole recording at once, for engines that read long
stretches of audio (Whisper): each channel is transcribed first, then its
utterances are fed to the per-call pipeline at the audio time they end,
exactly like a recorder's transcript (:func:`assist.replay.transcribed.
run_transcribed`). Streaming engines (vosk) keep the streaming driver
(:func:`assist.offline.run_recording`); :func:`run_recognised` picks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assist.offline import CallRun, run_recording
from assist.replay.transcribed import run_transcribed
from assist.replay.transcript_file import RecordedTranscript, Utterance
from ivr import events as ev
from ivr.asr.base import SpeechEngine
from ivr.asr.models import LANGUAGES
from ivr.audio.frames import CustomerChannel, channel_roles
from ivr.sources import read_audio


class UnsupportedLanguage(ValueError):
    """The detected language has no lexicon here; the message names it."""


class _Transcription(Protocol):
    language: str
    language_probability: float
    utterances: tuple  # of AsrResult


@runtime_checkable
class BatchEngine(Protocol):
    """An engine that transcribes a whole channel (``WhisperEngine``)."""

    language: str

    def transcribe(
        self, samples: np.ndarray, rate_hz: int, *, language: str | None = None
    ) -> _Transcription: ...


@dataclass(frozen=True)
class BatchTranscript:
    transcript: RecordedTranscript
    language_probability: float  # 1.0 when the language was given
    detected: bool  # the language was detected, not given


def transcribe_recording(
    path: Path,
    engine: BatchEngine,
    *,
    call_id: str | None = None,
    customer_channel: CustomerChannel = "left",
    language: str | None = None,
) -> BatchTranscript:
    """Both channels' utterances; the customer's channel goes first, and when
    neither ``language`` nor the engine has a language, the one detected on
    the customer's channel is used for the agent's."""
    samples, rate_hz = read_audio(path)
    roles = channel_roles(samples.shape[1], customer_channel)
    order = sorted(range(samples.shape[1]), key=lambda c: roles[c] is not ev.ChannelRole.CUSTOMER)
    given = engine.language if language is None else language
    language = given
    probability = 1.0
    utterances: list[Utterance] = []
    for channel in order:
        result = engine.transcribe(
            np.ascontiguousarray(samples[:, channel]), rate_hz, language=language
        )
        if not language:
            language, probability = result.language, result.language_probability
        utterances += [Utterance(roles[channel], u.text, u.words) for u in result.utterances]
        if language not in LANGUAGES:
            raise UnsupportedLanguage(
                f"{path}: detected language {language!r} (p={probability:.2f}); "
                f"only {', '.join(LANGUAGES)} are analysed: pass --lang"
            )
    utterances.sort(key=lambda u: (u.end_s, u.role is not ev.ChannelRole.CUSTOMER))
    transcript = RecordedTranscript(
        path=path,
        call_id=call_id,
        language=language,
        agent_id="",
        audio=path,
        utterances=tuple(utterances),
    )
    return BatchTranscript(transcript, probability, detected=not given)


def run_recognised(
    path: Path,
    engine: SpeechEngine,
    *,
    call_id: str | None = None,
    customer_channel: CustomerChannel = "left",
) -> tuple[CallRun, BatchTranscript | None]:
    """The call through the pipeline with ``engine``'s words; the batch
    transcript too when the engine is a batch one."""
    if not isinstance(engine, BatchEngine):
        run = run_recording(path, engine, call_id=call_id, customer_channel=customer_channel)
        return run, None
    batch = transcribe_recording(path, engine, call_id=call_id, customer_channel=customer_channel)
    run = run_transcribed(
        path,
        batch.transcript,
        batch.transcript.language or engine.language,
        call_id=call_id,
        customer_channel=customer_channel,
    )
    return run, batch
