"""Frequencies of the keypad and the level reference shared by the detector and
the tone generator.

Level reference (ITU-T G.711): for 16-bit linear PCM decoded from G.711, a sine
at 0 dBm0 has a peak amplitude of ``32768 * 10 ** (-3.17 / 20)`` (about 22 748);
a full-scale sine is +3.17 dBm0. Levels are per tone: "-20 dBm0" means each of
the two tones of a digit is a -20 dBm0 sine.
"""

from __future__ import annotations

import math

__all__ = [
    "DIGITS",
    "FULL_SCALE_SINE_DBM0",
    "HIGH_GROUP_HZ",
    "KEYPAD",
    "LOW_GROUP_HZ",
    "ZERO_DBM0_PEAK",
    "amplitude_of_dbm0",
    "dbm0_of_amplitude",
    "digit_frequencies",
]

LOW_GROUP_HZ: tuple[float, ...] = (697.0, 770.0, 852.0, 941.0)
"""Row tones."""

HIGH_GROUP_HZ: tuple[float, ...] = (1209.0, 1336.0, 1477.0, 1633.0)
"""Column tones."""

KEYPAD: tuple[str, ...] = ("123A", "456B", "789C", "*0#D")
"""``KEYPAD[row][column]`` is the key at row tone ``row`` and column tone ``column``."""

DIGITS: str = "".join(KEYPAD)
"""All 16 keys: ``123A456B789C*0#D``."""

FULL_SCALE_SINE_DBM0 = 3.17
ZERO_DBM0_PEAK = 32768.0 * 10 ** (-FULL_SCALE_SINE_DBM0 / 20)
"""Peak amplitude (PCM16 scale) of a 0 dBm0 sine."""


def amplitude_of_dbm0(level_dbm0: float) -> float:
    """Peak amplitude (PCM16 scale) of a sine at ``level_dbm0``."""
    return ZERO_DBM0_PEAK * 10 ** (level_dbm0 / 20)


def dbm0_of_amplitude(peak: float) -> float:
    """Level in dBm0 of a sine with peak amplitude ``peak`` (PCM16 scale)."""
    return 20 * math.log10(peak / ZERO_DBM0_PEAK) if peak > 0 else -math.inf


def digit_frequencies(digit: str) -> tuple[float, float]:
    """(row Hz, column Hz) of a key; lower-case ``a``-``d`` are accepted."""
    key = digit.upper() if isinstance(digit, str) else digit
    if not isinstance(key, str) or len(key) != 1 or key not in DIGITS:
        raise ValueError(f"not a DTMF key: {digit!r} (keys are {DIGITS})")
    index = DIGITS.index(key)
    return LOW_GROUP_HZ[index // 4], HIGH_GROUP_HZ[index % 4]
