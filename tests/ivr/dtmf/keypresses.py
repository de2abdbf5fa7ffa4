"""Signals for the DTMF tests: key presses with line noise, off-frequency keys, speech."""

from __future__ import annotations

import numpy as np

from ivr.dtmf import DtmfDetector, DtmfDigit, amplitude_of_dbm0, digit_frequencies


def silence(rate_hz: int, duration_s: float) -> np.ndarray:
    return np.zeros(round(duration_s * rate_hz), dtype=np.int16)


def with_noise(
    samples: np.ndarray, level_dbm0: float, snr_db: float, rng: np.random.Generator
) -> np.ndarray:
    """White noise added ``snr_db`` below the power of a key press at ``level_dbm0``
    per tone (two sines: power = amplitude ** 2)."""
    signal_power = amplitude_of_dbm0(level_dbm0) ** 2
    noise = rng.normal(0.0, np.sqrt(signal_power / 10 ** (snr_db / 10)), samples.size)
    return np.clip(np.rint(samples + noise), -32768, 32767).astype(np.int16)


def off_frequency_tone(
    digit: str, rate_hz: int, duration_s: float, level_dbm0: float, deviation: float
) -> np.ndarray:
    """A key press whose two tones are both ``deviation`` (relative) off frequency."""
    low_hz, high_hz = digit_frequencies(digit)
    t = np.arange(round(duration_s * rate_hz)) / rate_hz
    amplitude = amplitude_of_dbm0(level_dbm0)
    tones = np.sin(2 * np.pi * low_hz * (1 + deviation) * t + 0.7) + np.sin(
        2 * np.pi * high_hz * (1 + deviation) * t
    )
    return np.clip(np.rint(amplitude * tones), -32768, 32767).astype(np.int16)


def detect(samples: np.ndarray, rate_hz: int, **kwargs) -> list[DtmfDigit]:
    """All key presses in a whole signal (one feed, then flush)."""
    detector = DtmfDetector(rate_hz, **kwargs)
    return detector.feed(samples) + detector.flush()


def keys(found: list[DtmfDigit]) -> str:
    return "".join(d.digit for d in found)
