"""Speech synthesis with the espeak-ng command-line program."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np
from scipy.signal import resample_poly

ESPEAK = "espeak-ng"


class SynthesisError(RuntimeError):
    """espeak-ng is missing or failed."""


@dataclass(frozen=True)
class SpeechStyle:
    """How espeak-ng renders a text: voice (``ru``, ``en-us+f3``), speed, pitch,
    pitch range (percent change, via SSML), loudness."""

    voice: str
    speed_wpm: int = 175
    pitch: int = 50
    amplitude: int = 100
    word_gap_10ms: int = 0
    range_pct: int = 0

    def args(self) -> list[str]:
        return [
            "-v", self.voice,
            "-s", str(self.speed_wpm),
            "-p", str(self.pitch),
            "-a", str(self.amplitude),
            "-g", str(self.word_gap_10ms),
        ]  # fmt: skip


def espeak_available() -> bool:
    return shutil.which(ESPEAK) is not None


def synthesize(text: str, style: SpeechStyle, *, rate_hz: int = 16000) -> np.ndarray:
    """Speak ``text``; return float32 samples at PCM16 scale and ``rate_hz``."""
    if shutil.which(ESPEAK) is None:
        raise SynthesisError(f"{ESPEAK} is not installed; it is needed to synthesise speech")
    if style.range_pct:
        text = f'<speak><prosody range="{style.range_pct:+d}%">{escape(text)}</prosody></speak>'
        args = [*style.args(), "-m"]
    else:
        args = style.args()
    proc = subprocess.run(
        [ESPEAK, *args, "-z", "--stdout", text],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0 or len(proc.stdout) < 44:
        detail = proc.stderr.decode(errors="replace").strip()
        raise SynthesisError(f"{ESPEAK} failed for voice {style.voice!r}: {detail}")
    # espeak-ng writes a streaming WAV whose size fields may be bogus: read the data raw.
    with wave.open(io.BytesIO(proc.stdout)) as wav:
        src_rate = wav.getframerate()
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise SynthesisError(f"{ESPEAK} produced unexpected audio format")
    pcm = np.frombuffer(proc.stdout[44 : 44 + (len(proc.stdout) - 44) // 2 * 2], dtype="<i2")
    samples = pcm.astype(np.float32)
    if src_rate != rate_hz:
        g = np.gcd(src_rate, rate_hz)
        samples = resample_poly(samples, rate_hz // g, src_rate // g).astype(np.float32)
    return samples


def to_pcm16(samples: np.ndarray) -> bytes:
    """Clip and convert PCM16-scale float samples to little-endian bytes."""
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()
