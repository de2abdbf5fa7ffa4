"""Keypad tone generation (for tests and for scripted callers that press keys)."""

from __future__ import annotations

import numpy as np

from ivr.dtmf.levels import amplitude_of_dbm0, digit_frequencies

__all__ = ["dtmf_sequence", "dtmf_tone"]


def _check_rate(rate_hz: int) -> None:
    if not isinstance(rate_hz, int) or isinstance(rate_hz, bool) or rate_hz < 4000:
        raise ValueError(f"rate_hz must be an integer of at least 4000, got {rate_hz!r}")


def dtmf_tone(
    digit: str,
    rate_hz: int = 8000,
    duration_s: float = 0.08,
    level_dbm0: float = -10.0,
    twist_db: float = 0.0,
) -> np.ndarray:
    """One key press as int16 samples.

    Each tone is at ``level_dbm0``; a non-zero ``twist_db`` (high tone minus low
    tone, in dB) is split evenly, so the high tone is at ``level_dbm0 + twist_db/2``
    and the low one at ``level_dbm0 - twist_db/2``.
    """
    _check_rate(rate_hz)
    if duration_s < 0:
        raise ValueError(f"duration_s must not be negative, got {duration_s}")
    low_hz, high_hz = digit_frequencies(digit)
    n = round(duration_s * rate_hz)
    t = np.arange(n) / rate_hz
    low = amplitude_of_dbm0(level_dbm0 - twist_db / 2) * np.sin(2 * np.pi * low_hz * t)
    high = amplitude_of_dbm0(level_dbm0 + twist_db / 2) * np.sin(2 * np.pi * high_hz * t)
    return np.clip(np.rint(low + high), -32768, 32767).astype(np.int16)


def dtmf_sequence(
    digits: str,
    rate_hz: int = 8000,
    tone_s: float = 0.08,
    gap_s: float = 0.08,
    level_dbm0: float = -10.0,
) -> np.ndarray:
    """Keys pressed one after another: tone, silence, tone, ... (no silence at the ends)."""
    _check_rate(rate_hz)
    if gap_s < 0:
        raise ValueError(f"gap_s must not be negative, got {gap_s}")
    gap = np.zeros(round(gap_s * rate_hz), dtype=np.int16)
    parts: list[np.ndarray] = []
    for i, digit in enumerate(digits):
        if i:
            parts.append(gap)
        parts.append(dtmf_tone(digit, rate_hz, tone_s, level_dbm0))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
