"""Synthetic voice-like signals with known properties, for the anger core tests."""

from __future__ import annotations

import numpy as np

from ivr.events import AudioChunk, ChannelRole


def voice(
    f0_hz: float,
    seconds: float,
    rate_hz: int = 16000,
    *,
    level_db: float = -26.0,
    tilt: float = 1.4,
    syllables_per_s: float = 4.0,
    breath: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """A buzzy vowel train: harmonics of ``f0_hz`` falling as k**-tilt (a smaller
    tilt is a brighter, pressed voice), syllable-like bursts at
    ``syllables_per_s`` with short unvoiced gaps, a gentle pitch wobble, and
    a little noise. ``breath`` mixes in aspiration noise of the same spectral
    tilt (its RMS against the harmonics'): a breathy, lax voice whose
    harmonics stand out less. RMS of the voiced parts about ``level_db`` dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate_hz)
    t = np.arange(n) / rate_hz
    f = f0_hz * (1.0 + 0.03 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(f) / rate_hz
    x = np.zeros(n)
    for k in range(1, 200):
        if k * f0_hz * 1.05 > 0.45 * rate_hz:
            break
        x += np.sin(k * phase + rng.uniform(0, 2 * np.pi)) * k**-tilt
    x /= np.sqrt(np.mean(x**2))
    if breath > 0:
        spectrum = np.fft.rfft(rng.normal(size=n))
        freqs = np.fft.rfftfreq(n, 1.0 / rate_hz)
        noise = np.fft.irfft(spectrum * np.maximum(freqs / f0_hz, 1.0) ** -tilt, n)
        x += breath * noise / np.sqrt(np.mean(noise**2))
        x /= np.sqrt(np.mean(x**2))
    cycle = (t * syllables_per_s) % 1.0
    envelope = np.where(cycle < 0.75, np.clip(np.sin(np.pi * cycle / 0.75), 0.0, 1.0) ** 0.5, 0.0)
    x = x * envelope + 0.01 * rng.normal(size=n)
    x *= 32768.0 * 10 ** (level_db / 20) * np.sqrt(2)
    return np.clip(x, -32768, 32767).astype(np.int16)


def silence(seconds: float, rate_hz: int = 16000, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=int(seconds * rate_hz)) * 3).astype(np.int16)


def chunks(
    samples: np.ndarray,
    rate_hz: int,
    role: ChannelRole = ChannelRole.CUSTOMER,
    call_id: str = "call-1",
    start_sample: int = 0,
) -> list[AudioChunk]:
    """20 ms chunks of one channel."""
    step = rate_hz // 50
    return [
        AudioChunk(call_id, role, rate_hz, samples[i : i + step].tobytes(), start_sample + i)
        for i in range(0, samples.size - step + 1, step)
    ]


def interleave(*streams: list[AudioChunk]) -> list[AudioChunk]:
    """Chunks of several channels in time order (as a live driver sends them)."""
    out = [c for stream in streams for c in stream]
    return sorted(out, key=lambda c: (c.start_s, c.role != ChannelRole.CUSTOMER))
