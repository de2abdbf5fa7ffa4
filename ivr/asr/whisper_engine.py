"""Whisper (faster-whisper, CTranslate2) behind the recogniser interface:
the stronger, slower engine for after the call and for QA.

One :class:`WhisperEngine` loads the model once; every call of the process
shares it (CTranslate2 queues concurrent calls on its workers). Whisper
reads whole stretches of audio, so the natural use is :meth:`WhisperEngine.
transcribe` on a channel's whole recording: faster-whisper's bundled voice
activity detector cuts it into speech segments, each segment becomes one
"final" utterance, with word times and probabilities, normalised to the vosk
path's token form (:mod:`ivr.asr.normalize`).

:class:`WhisperRecognizer` adapts this to the streaming interface: it
buffers audio and, once a window is full, emits every complete segment but
the last as one final (the last may be cut by the window's end and is decoded
again with the next window); :meth:`WhisperRecognizer.finish` emits the rest.
Partials are empty. Decoding is blocking CPU work: run it off the event loop
(:class:`ivr.asr.aio.AsyncRecognizer`, a worker thread or process).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ivr.asr.base import UNKNOWN_WORD, AsrResult
from ivr.asr.models import ModelNotFound
from ivr.asr.normalize import TimedText, normalize_words
from ivr.asr.whisper_model import WhisperModelError, how_to_get_whisper
from ivr.audio.resample import resample
from ivr.events import Word

WHISPER_RATE_HZ = 16000
THREADS_ENV = "IVR_ASSIST_WHISPER_THREADS"
# Whisper decodes a 30 s window greedily first and, when the result looks
# wrong, samples it again at rising temperatures. Too unsure (average log
# probability under -1) is worth a second try. "Too repetitive" (gzip ratio
# of the text over Whisper's 2.4) is, for this speech, often faithful: menus,
# digit strings and "алло, алло" are repetitive, and the sampled retry that
# passes the check is the one that dropped the repeats (a Russian menu prompt
# lost 34 of its 51 words that way). Greedy transcripts of the Russian
# Asterisk prompts reach 3.1 when right; the windows stuck in a loop
# ("СПППП...") were at 12 to 17. The limit sits between: a loop, not a menu.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
REPETITION_LIMIT: float | None = 4.0
# Silence added before and after the audio. The voice activity detector pads
# each speech segment with up to 0.4 s of the audio around it, which speech
# at the very edge of a recording (a channel that starts or stops mid-word, a
# short answer cut out of a call) does not have: Whisper base then cut or
# invented words ("семь" read as "телефонный звонок", "Кэй" as "спокой
# дверь"). With the margin, a sample of 149 short real prompts went from 134
# to 112 word errors. Word times are given back on the audio's own clock.
EDGE_PAD_S = 0.5


@dataclass(frozen=True)
class Transcription:
    """One stretch of audio transcribed: its utterances (one per speech
    segment, word times from the start of the audio) and the language used."""

    language: str
    language_probability: float  # 1.0 when the language was given
    utterances: tuple[AsrResult, ...]
    duration_s: float

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for u in self.utterances for w in u.words)

    @property
    def text(self) -> str:
        return " ".join(u.text for u in self.utterances)


def join_pieces(words: Sequence[TimedText]) -> list[TimedText]:
    """Whisper's words as written: a word that does not start with a space
    continues the one before it. faster-whisper cuts its words at punctuation,
    so "80-й", "по-прежнему" and "1,2,3,4" come as " 80" + "-й", " по" +
    "-прежнему", " 1" + ",2" + ...; read apart, "-й" would be a word of its
    own and the digits a decimal. The joined word spans its pieces and has
    the least sure piece's probability."""
    out: list[TimedText] = []
    for word in words:
        if out and word.text and not word.text[0].isspace():
            last = out[-1]
            out[-1] = TimedText(
                last.text + word.text,
                last.start_s,
                max(last.end_s, word.end_s),
                min(last.conf, word.conf),
            )
        else:
            out.append(word)
    return out


def default_threads() -> int:
    """CPU threads for decoding: ``$IVR_ASSIST_WHISPER_THREADS``, else 0 (CTranslate2's choice)."""
    raw = os.environ.get(THREADS_ENV, "")
    return int(raw) if raw.isdigit() else 0


def _import_faster_whisper() -> Any:
    try:
        import faster_whisper
    except ImportError:
        raise ModelNotFound(
            "the Whisper engine needs faster-whisper, which is not installed. "
            + how_to_get_whisper()
        ) from None
    return faster_whisper


def require_faster_whisper() -> None:
    """Raise ModelNotFound, saying how to install it, when faster-whisper is missing."""
    _import_faster_whisper()


def as_float_16k(samples: np.ndarray, rate_hz: int) -> np.ndarray:
    """Mono int16 samples at ``rate_hz`` as Whisper's float32 16 kHz input."""
    mono = np.asarray(samples, dtype=np.int16).reshape(-1)
    if rate_hz != WHISPER_RATE_HZ:
        mono = resample(mono, rate_hz, WHISPER_RATE_HZ)
    return mono.astype(np.float32) / 32768.0


class WhisperEngine:
    """``language`` "" means: detect it on each stretch of audio."""

    # No word list: its finals' word probabilities say how well it understood.
    vocabulary_words: int | None = None

    def __init__(
        self,
        model: str | Path,
        language: str = "",
        *,
        cpu_threads: int | None = None,
        compute_type: str = "int8",
        beam_size: int = 5,
        vad: bool = True,
        temperatures: Sequence[float] = FALLBACK_TEMPERATURES,
        repetition_limit: float | None = REPETITION_LIMIT,
        edge_pad_s: float = EDGE_PAD_S,
        num_workers: int = 1,
        allow_download: bool = False,
    ) -> None:
        faster_whisper = _import_faster_whisper()
        self.model_path = str(model)
        self.language = language
        self.beam_size = beam_size
        self.vad = vad
        self.temperatures = tuple(temperatures)
        self.repetition_limit = repetition_limit
        self.edge_pad_s = edge_pad_s
        self.cpu_threads = default_threads() if cpu_threads is None else cpu_threads
        self.rate_hz = WHISPER_RATE_HZ
        local = Path(self.model_path).is_dir()
        try:
            self.model = faster_whisper.WhisperModel(
                self.model_path,
                device="cpu",
                compute_type=compute_type,
                cpu_threads=self.cpu_threads,
                num_workers=num_workers,
                local_files_only=local or not allow_download,
            )
        except Exception as exc:
            if not local:
                raise ModelNotFound(
                    f"could not get the Whisper model {self.model_path!r} "
                    f"({type(exc).__name__}). {how_to_get_whisper()}"
                ) from None
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise WhisperModelError(
                f"faster-whisper could not load the model in {self.model_path} "
                f"(a damaged or incompatible model: {type(exc).__name__}: {first_line})"
            ) from None

    def transcribe(
        self,
        samples: np.ndarray,
        rate_hz: int,
        *,
        language: str | None = None,
    ) -> Transcription:
        """Transcribe one channel's int16 mono audio; ``language`` overrides
        the engine's (None: the engine's; "": detect)."""
        audio = as_float_16k(samples, rate_hz)
        duration_s = len(samples) / rate_hz if rate_hz else 0.0
        lang = self.language if language is None else language
        if audio.size < WHISPER_RATE_HZ // 10:  # under 0.1 s: nothing to hear
            return Transcription(lang or "", 1.0 if lang else 0.0, (), duration_s)
        pad_s = self.edge_pad_s
        if pad_s > 0:
            margin = np.zeros(int(pad_s * WHISPER_RATE_HZ), dtype=np.float32)
            audio = np.concatenate([margin, audio, margin])
        segments, info = self.model.transcribe(
            audio,
            language=lang or None,
            beam_size=self.beam_size,
            word_timestamps=True,
            vad_filter=self.vad,
            temperature=list(self.temperatures),
            compression_ratio_threshold=self.repetition_limit,
            condition_on_previous_text=False,  # no runaway repetition across a long call
        )
        used = lang or str(info.language)
        utterances: list[AsrResult] = []
        last_end_s = 0.0
        for segment in segments:
            raw = [
                TimedText(
                    w.word,
                    min(max(float(w.start) - pad_s, last_end_s), duration_s),
                    min(max(float(w.end) - pad_s, 0.0), duration_s),
                    float(w.probability),
                )
                for w in (segment.words or ())
            ]
            words = normalize_words(join_pieces(raw), used)
            if not words:
                continue
            last_end_s = words[-1].end_s
            utterances.append(
                AsrResult(text=" ".join(w.word for w in words), words=tuple(words), final=True)
            )
        probability = 1.0 if lang else float(info.language_probability)
        return Transcription(used, probability, tuple(utterances), duration_s)

    def recognizer(self, rate_hz: int, phrases: Sequence[str] | None = None) -> WhisperRecognizer:
        return WhisperRecognizer(self, rate_hz, phrases)


_EMPTY_PARTIAL = AsrResult(text="", words=(), final=False)


class WhisperRecognizer:
    """The streaming interface over windows of buffered audio (see the module notes)."""

    def __init__(
        self,
        engine: WhisperEngine,
        rate_hz: int,
        phrases: Sequence[str] | None = None,
        *,
        window_s: float = 20.0,
    ) -> None:
        self.rate_hz = rate_hz
        self._engine = engine
        self._window_samples = int(window_s * rate_hz)
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self._offset_samples = 0  # stream position of the buffer's first sample
        self._next_at = self._window_samples  # decode when this much is buffered
        self._allowed = (
            frozenset(w for p in phrases for w in p.split()) if phrases is not None else None
        )

    def accept(self, pcm: bytes) -> AsrResult:
        samples = np.frombuffer(pcm, dtype="<i2")
        self._buffer.append(samples)
        self._buffered += samples.size
        if self._buffered < self._next_at:
            return _EMPTY_PARTIAL
        audio = np.concatenate(self._buffer)
        result = self._engine.transcribe(audio, self.rate_hz)
        done = result.utterances[:-1]
        if not done:
            if not result.utterances:  # a window of silence: nothing to keep
                self._drop(audio.size)
            else:  # one utterance still going on: try again half a window later
                self._next_at = self._buffered + self._window_samples // 2
            return _EMPTY_PARTIAL
        keep_from = int(done[-1].words[-1].end_s * self.rate_hz)
        final = self._final(done)
        self._drop(keep_from, audio)
        return final

    def finish(self) -> AsrResult:
        if not self._buffered:
            return AsrResult(text="", words=(), final=True)
        audio = np.concatenate(self._buffer)
        result = self._engine.transcribe(audio, self.rate_hz)
        final = self._final(result.utterances)  # on the clock of the buffer's start
        self._drop(audio.size)
        return final

    def reset(self) -> None:
        self._drop(self._buffered)

    def _drop(self, n_samples: int, audio: np.ndarray | None = None) -> None:
        if audio is None:
            audio = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.int16)
        rest = audio[n_samples:]
        self._buffer = [rest] if rest.size else []
        self._buffered = rest.size
        self._offset_samples += n_samples
        self._next_at = self._window_samples

    def _final(self, utterances: Sequence[AsrResult]) -> AsrResult:
        offset_s = self._offset_samples / self.rate_hz
        words = []
        for u in utterances:
            for w in u.words:
                token = w.word
                if self._allowed is not None and token not in self._allowed:
                    token = UNKNOWN_WORD
                start_s, end_s = round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3)
                words.append(Word(token, start_s, end_s, w.conf))
        return AsrResult(text=" ".join(w.word for w in words), words=tuple(words), final=True)
