"""IVR prompts: menu text spoken by espeak-ng, or a designer's recorded WAV file.

A spoken prompt is rendered once per (text, language, voice, rate, espeak-ng
version) and kept in memory and on disk, so an IVR that says "press 1 for
billing" on every call runs espeak-ng for it once per machine. Output is
PCM16 little-endian mono at the rate of the line (8000 Hz for telephones,
16000 Hz too), resampled with the project's own resampler, with leading and
trailing silence cut to at most ``EDGE_SILENCE_S`` and the peak set to
``TARGET_PEAK_DBFS``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ivr.audio.resample import resample
from ivr.sources.wav import AudioFileError, read_audio, write_wav

__all__ = [
    "DEFAULT_VOICES",
    "EDGE_SILENCE_S",
    "TARGET_PEAK_DBFS",
    "PromptError",
    "PromptRenderer",
    "default_cache_dir",
    "load_prompt_wav",
]

DEFAULT_VOICES: dict[str, str] = {"ru": "ru", "en": "en-us"}
"""espeak-ng voice per language; other languages use their code as the voice."""

EDGE_SILENCE_S = 0.1
"""Silence kept before the first and after the last sound of a spoken prompt."""

TARGET_PEAK_DBFS = -3.0
MAX_GAIN_DB = 20.0  # never lift a faint render more than this (it would lift its noise too)
SOUND_THRESHOLD_DB = -40.0  # below the prompt's peak: counts as silence when trimming
ESPEAK_TIMEOUT_S = 60.0
_RENDER_VERSION = 1  # bump when the processing below changes: old cache files stop matching

Runner = Callable[..., subprocess.CompletedProcess]


class PromptError(RuntimeError):
    """A prompt that cannot be rendered; the message names the text and the language."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/ivr-assist/prompts``, else ``~/.cache/ivr-assist/prompts``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ivr-assist" / "prompts"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _to_mono(samples: np.ndarray) -> np.ndarray:
    """(n, channels) int16 -> (n,) int16, the channels averaged."""
    if samples.shape[1] == 1:
        return samples[:, 0]
    mixed = samples.astype(np.int32).sum(axis=1) / samples.shape[1]
    return np.clip(np.rint(mixed), -32768, 32767).astype(np.int16)


def _trim(samples: np.ndarray, rate_hz: int) -> np.ndarray:
    """Cut silence at both ends down to at most EDGE_SILENCE_S."""
    magnitude = np.abs(samples.astype(np.int32))
    peak = int(magnitude.max()) if magnitude.size else 0
    if peak == 0:
        return samples[:0]
    loud = np.flatnonzero(magnitude >= peak * 10 ** (SOUND_THRESHOLD_DB / 20))
    keep = round(EDGE_SILENCE_S * rate_hz)
    return samples[max(0, loud[0] - keep) : loud[-1] + 1 + keep]


def _level(samples: np.ndarray) -> np.ndarray:
    """Scale so that the peak is TARGET_PEAK_DBFS (at most MAX_GAIN_DB of gain)."""
    peak = float(np.abs(samples.astype(np.float64)).max()) if samples.size else 0.0
    if peak == 0:
        return samples
    target = 32767 * 10 ** (TARGET_PEAK_DBFS / 20)
    gain = min(target / peak, 10 ** (MAX_GAIN_DB / 20))
    return np.clip(np.rint(samples * gain), -32768, 32767).astype(np.int16)


class PromptRenderer:
    """Speaks prompt texts with espeak-ng, caching each render in memory and on disk.

    ``voices`` maps a language to an espeak-ng voice (default
    :data:`DEFAULT_VOICES`); ``espeak_ng`` names the program and ``runner``
    runs it (``subprocess.run``; tests pass a counting wrapper).
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        voices: dict[str, str] | None = None,
        espeak_ng: str = "espeak-ng",
        runner: Runner = subprocess.run,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.voices = {**DEFAULT_VOICES, **(voices or {})}
        self.espeak_ng = espeak_ng
        self._runner = runner
        self._memory: dict[str, bytes] = {}
        self._version: str | None = None
        self.renders = 0  # times espeak-ng synthesised a prompt (cache misses)

    def voice_for(self, language: str) -> str:
        return self.voices.get(language, language)

    def cache_path(self, text: str, language: str, rate_hz: int) -> Path:
        """Where the render of this prompt is (or will be) kept on disk."""
        return self.cache_dir / f"{self._key(text, language, rate_hz)}.wav"

    def render(self, text: str, language: str, rate_hz: int) -> bytes:
        """The prompt as PCM16 little-endian mono at ``rate_hz``."""
        if not text.strip():
            raise PromptError(f"empty prompt text for language {language!r}")
        if not isinstance(rate_hz, int) or isinstance(rate_hz, bool) or rate_hz <= 0:
            raise ValueError(f"rate_hz must be a positive integer, got {rate_hz!r}")
        key = self._key(text, language, rate_hz)
        cached = self._memory.get(key)
        if cached is not None:
            return cached
        path = self.cache_dir / f"{key}.wav"
        pcm = self._read_cached(path, rate_hz)
        if pcm is None:
            pcm = self._synthesise(text, language, rate_hz)
            self._write_cached(path, pcm, rate_hz)
        self._memory[key] = pcm
        return pcm

    def in_memory(self, text: str, language: str, rate_hz: int) -> bytes | None:
        """The render of this prompt if this renderer already holds it, else
        None; never runs espeak-ng or reads a file, so an event loop may ask
        (a prompt every caller hears then needs no trip to a worker)."""
        if self._version is None:
            return None
        return self._memory.get(self._key(text, language, rate_hz))

    def recorded(self, path: Path, rate_hz: int) -> bytes:
        """A designer's WAV prompt (see :func:`load_prompt_wav`), read once and
        kept until the file changes."""
        key = f"wav:{path.resolve()}:{path.stat().st_mtime_ns}:{rate_hz}"
        cached = self._memory.get(key)
        if cached is None:
            cached = self._memory[key] = load_prompt_wav(path, rate_hz)
        return cached

    # -- espeak-ng ---------------------------------------------------------------

    def _run(
        self, args: Sequence[str], text: str, language: str, **kwargs: object
    ) -> subprocess.CompletedProcess:
        try:
            return self._runner(
                [self.espeak_ng, *args],
                capture_output=True,
                timeout=ESPEAK_TIMEOUT_S,
                check=False,
                **kwargs,
            )
        except FileNotFoundError:
            raise PromptError(
                f"cannot render prompt {_short(text)!r} ({language}): {self.espeak_ng} is not "
                "installed (Debian: apt-get install espeak-ng)"
            ) from None
        except subprocess.TimeoutExpired:
            raise PromptError(
                f"cannot render prompt {_short(text)!r} ({language}): {self.espeak_ng} "
                f"took longer than {ESPEAK_TIMEOUT_S:.0f} s"
            ) from None
        except OSError as exc:
            raise PromptError(
                f"cannot render prompt {_short(text)!r} ({language}): "
                f"{self.espeak_ng} cannot be run ({exc.strerror or exc})"
            ) from None

    def espeak_version(self, text: str = "", language: str = "") -> str:
        """``espeak-ng --version`` (asked once per renderer; part of the cache key)."""
        if self._version is None:
            proc = self._run(["--version"], text, language)
            if proc.returncode != 0:
                raise PromptError(
                    f"cannot render prompt {_short(text)!r} ({language}): "
                    f"'{self.espeak_ng} --version' failed"
                )
            self._version = proc.stdout.decode(errors="replace").strip()
        return self._version

    def _key(self, text: str, language: str, rate_hz: int) -> str:
        fields = [
            _RENDER_VERSION,
            text,
            language,
            self.voice_for(language),
            rate_hz,
            self.espeak_version(text, language),
        ]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:32]

    def _synthesise(self, text: str, language: str, rate_hz: int) -> bytes:
        voice = self.voice_for(language)
        with tempfile.TemporaryDirectory(prefix="ivr-prompt-") as tmp:
            out = Path(tmp) / "prompt.wav"
            # The text goes in on stdin so that one starting with "-" is not an option.
            proc = self._run(
                ["-v", voice, "-w", str(out), "--stdin"], text, language, input=text.encode()
            )
            self.renders += 1
            if proc.returncode != 0:
                detail = proc.stderr.decode(errors="replace").strip() or f"exit {proc.returncode}"
                raise PromptError(
                    f"cannot render prompt {_short(text)!r} ({language}, voice {voice!r}): "
                    f"espeak-ng failed: {detail}"
                )
            try:
                samples, espeak_rate_hz = read_audio(out)
            except AudioFileError as exc:
                raise PromptError(
                    f"cannot render prompt {_short(text)!r} ({language}): espeak-ng wrote "
                    f"unusable audio ({exc.problem})"
                ) from None
        mono = _trim(_to_mono(samples), espeak_rate_hz)
        if not mono.size:
            raise PromptError(
                f"cannot render prompt {_short(text)!r} ({language}): espeak-ng produced silence"
            )
        return _level(resample(mono, espeak_rate_hz, rate_hz)).astype("<i2").tobytes()

    # -- disk cache --------------------------------------------------------------

    @staticmethod
    def _read_cached(path: Path, rate_hz: int) -> bytes | None:
        """The cached render, or None when it is missing or unusable (it is then redone)."""
        if not path.is_file():
            return None
        try:
            samples, file_rate_hz = read_audio(path)
        except AudioFileError:
            return None
        if file_rate_hz != rate_hz or samples.shape[1] != 1:
            return None
        return samples[:, 0].astype("<i2").tobytes()

    def _write_cached(self, path: Path, pcm: bytes, rate_hz: int) -> None:
        """A cache that cannot be written only costs a re-render next time."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_wav(path, pcm, rate_hz)
        except OSError:
            pass


def load_prompt_wav(path: Path, rate_hz: int) -> bytes:
    """A designer's recorded prompt (16-bit PCM, mu-law or A-law WAV, mono or stereo,
    any rate the resampler supports) as PCM16 little-endian mono at ``rate_hz``.

    Raises :class:`~ivr.sources.wav.AudioFileError` naming the file when it cannot be used.
    """
    samples, file_rate_hz = read_audio(path)
    mono = _to_mono(samples)
    try:
        out = resample(mono, file_rate_hz, rate_hz)
    except ValueError as exc:
        raise AudioFileError(path, f"cannot be resampled to {rate_hz} Hz: {exc}") from None
    return out.astype("<i2").tobytes()
