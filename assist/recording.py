"""Keeping a live call's audio for the post-call pass (``serve --record DIR``).

:class:`CallRecording` collects a call's 20 ms chunks per leg, each placed
at its audio time (a gap in a leg is silence); when the call ends it is
written as one WAV: mono for one leg, stereo when both legs arrived
(customer left, agent right, the slower leg resampled to the faster leg's
rate). :class:`RecordingPipeline` wraps a call's pipeline so every chunk the
pipeline hears is recorded and the file is written, off the caller's thread,
once the call ends; then ``on_saved(call_id, path)`` runs (the post-call
queue). What the redactor hides in the call's transcripts is hidden in the
file too: the pipeline's finals go through a redactor of the same settings
as the event chain's (``assist/data/redact.toml`` unless told otherwise) and
the hidden words' spans are bleeped or silenced on that speaker's leg (see
:mod:`assist.redact.audio`); a disabled config (``--no-redact``) keeps all.
Audio is held in memory until the end of the call (about 1 MB per
minute per 8 kHz leg): a process that dies mid-call loses that call's audio.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assist.redact import CallRedactor, RedactionConfig, load_redaction_config
from assist.redact.audio import hide_spans
from ivr import events as ev
from ivr.audio.resample import resample
from ivr.sources import write_wav

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

OnSaved = Callable[[str, Path], object]
Spans = Mapping[ev.ChannelRole, Sequence[tuple[float, float]]]


def recording_path(folder: Path, call_id: str) -> Path:
    """Where a call's recording goes: ``FOLDER/<call id, made file-safe>.wav``."""
    return Path(folder) / f"{_UNSAFE.sub('_', call_id).strip('._') or 'call'}.wav"


class _Leg:
    def __init__(self, rate_hz: int) -> None:
        self.rate_hz = rate_hz
        self.samples = bytearray()

    def add(self, chunk: ev.AudioChunk) -> None:
        at = chunk.start_sample * 2
        if at > len(self.samples):  # a gap in the stream: silence
            self.samples += bytes(at - len(self.samples))
        self.samples[at : at + len(chunk.pcm)] = chunk.pcm

    def array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.samples), dtype="<i2")


class CallRecording:
    def __init__(self, call_id: str) -> None:
        self.call_id = call_id
        self._legs: dict[ev.ChannelRole, _Leg] = {}

    def add(self, chunk: ev.AudioChunk) -> None:
        leg = self._legs.get(chunk.role)
        if leg is None:
            leg = self._legs[chunk.role] = _Leg(chunk.rate_hz)
        elif leg.rate_hz != chunk.rate_hz:
            return  # the live driver refuses a rate change; never mix rates in one leg
        leg.add(chunk)

    @property
    def empty(self) -> bool:
        return not any(leg.samples for leg in self._legs.values())

    def write(
        self, path: Path, hidden: Spans | None = None, redaction: RedactionConfig | None = None
    ) -> Path:
        """The WAV file: mono for one leg, else stereo, customer left; the
        ``hidden`` spans of each leg bleeped or silenced as ``redaction`` says."""
        roles = [r for r in (ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT) if r in self._legs]
        legs = [self._legs[r] for r in roles]
        arrays = [
            self._hidden(leg, (hidden or {}).get(r, ()), redaction)
            for r, leg in zip(roles, legs, strict=True)
        ]
        rate_hz = max(leg.rate_hz for leg in legs)
        tracks = [
            array if leg.rate_hz == rate_hz else resample(array, leg.rate_hz, rate_hz)
            for leg, array in zip(legs, arrays, strict=True)
        ]
        if len(tracks) == 1:
            return write_wav(path, tracks[0], rate_hz)
        if ev.ChannelRole.CUSTOMER not in self._legs:
            tracks.insert(0, np.zeros(0, dtype=np.int16))
        length = max(t.size for t in tracks)
        stereo = np.zeros((length, 2), dtype=np.int16)
        for n, track in enumerate(tracks[:2]):
            stereo[: track.size, n] = track
        return write_wav(path, stereo, rate_hz)

    @staticmethod
    def _hidden(
        leg: _Leg, spans_s: Sequence[tuple[float, float]], redaction: RedactionConfig | None
    ) -> np.ndarray:
        if not spans_s or redaction is None or not redaction.enabled:
            return leg.array()
        return hide_spans(
            leg.array(),
            leg.rate_hz,
            spans_s,
            mode=redaction.audio_hide,
            pad_s=redaction.audio_pad_s,
            bleep_hz=redaction.bleep_hz,
        )


class RecordingPipeline:
    """A call's pipeline that also records what it hears (see the module notes)."""

    def __init__(
        self,
        pipeline: Any,
        folder: Path,
        on_saved: OnSaved | None = None,
        *,
        redaction: RedactionConfig | None = None,
    ) -> None:
        """``redaction``: what to hide (None: the shipped settings;
        :meth:`RedactionConfig.disabled` keeps everything)."""
        self._pipeline = pipeline
        self._folder = Path(folder)
        self._on_saved = on_saved
        self._recording = CallRecording(pipeline.call_id)
        self.redaction = redaction if redaction is not None else load_redaction_config(None)
        self._redactor = CallRedactor(self.redaction, getattr(pipeline, "language", "ru"))
        self.saver: threading.Thread | None = None

    def on_audio(self, chunk: ev.AudioChunk) -> list[ev.Event]:
        self._recording.add(chunk)
        return self._heard(self._pipeline.on_audio(chunk))

    def on_asr(self, role: ev.ChannelRole, result: Any) -> list[ev.Event]:
        return self._heard(self._pipeline.on_asr(role, result))

    def hidden_spans(self) -> dict[ev.ChannelRole, list[tuple[float, float]]]:
        """Each speaker's audio spans hidden so far."""
        return {role: self._redactor.spans_for(role) for role in ev.ChannelRole}

    def _heard(self, events: list[ev.Event]) -> list[ev.Event]:
        for event in events:
            if isinstance(event, ev.TranscriptFinal):
                self._redactor.redact(event)  # only for its spans: the chain redacts the events
        return events

    def end(self, reason: str = "hangup") -> list[ev.Event]:
        events: list[ev.Event] = self._heard(self._pipeline.end(reason))
        if self.saver is None and not self._recording.empty:
            self.saver = threading.Thread(
                target=self._save, name=f"record-{self._pipeline.call_id}", daemon=False
            )
            self.saver.start()
        return events

    def _save(self) -> None:
        call_id = self._pipeline.call_id
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            path = self._recording.write(
                recording_path(self._folder, call_id), self.hidden_spans(), self.redaction
            )
        except OSError as exc:
            print(f"recording of call {call_id} not saved: {exc}", file=sys.stderr)
            return
        if self._on_saved is not None:
            self._on_saved(call_id, path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pipeline, name)
