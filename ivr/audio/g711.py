"""G.711 mu-law and A-law companding with numpy lookup tables.

Decoding is one indexing step into a 256-entry table. Encoding indexes a
65536-entry table (one code per possible int16 sample) that is computed
once, on first use, by a vectorised form of the bit-level definition.

Both encoders follow the G.711 decision intervals: every decoded level is
the midpoint of the input interval that encodes to it, so decode -> encode
gives back every code. The one exception is mu-law's negative zero: codes
0xFF and 0x7F both decode to 0, and 0 always encodes to 0xFF.
"""

from __future__ import annotations

from functools import cache

import numpy as np

__all__ = [
    "ALAW_DECODE_TABLE",
    "MULAW_DECODE_TABLE",
    "alaw_decode",
    "alaw_encode",
    "mulaw_decode",
    "mulaw_encode",
]

_MULAW_BIAS = 0x84
_MULAW_CLIP = 32635  # the largest magnitude that still fits after adding the bias


def _build_mulaw_decode_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    inverted = ~codes & 0xFF
    exponent = (inverted >> 4) & 0x07
    mantissa = inverted & 0x0F
    magnitude = (((mantissa << 3) + _MULAW_BIAS) << exponent) - _MULAW_BIAS
    table = np.where(inverted & 0x80, -magnitude, magnitude).astype(np.int16)
    table.flags.writeable = False
    return table


def _build_alaw_decode_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    toggled = codes ^ 0x55
    exponent = (toggled >> 4) & 0x07
    mantissa = toggled & 0x0F
    magnitude = np.where(
        exponent == 0,
        (mantissa << 4) + 8,
        ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0),
    )
    table = np.where(toggled & 0x80, magnitude, -magnitude).astype(np.int16)
    table.flags.writeable = False
    return table


MULAW_DECODE_TABLE: np.ndarray = _build_mulaw_decode_table()
"""int16 linear value of each mu-law code (read-only)."""

ALAW_DECODE_TABLE: np.ndarray = _build_alaw_decode_table()
"""int16 linear value of each A-law code (read-only)."""


def _highest_bit(values: np.ndarray) -> np.ndarray:
    """Index of the highest set bit of each value in 0..255 (0 for 0)."""
    out = np.zeros(values.shape, dtype=np.int32)
    for bit in range(1, 8):
        out[values >= (1 << bit)] = bit
    return out


@cache
def _mulaw_encode_table() -> np.ndarray:
    linear = np.arange(-32768, 32768, dtype=np.int32)
    negative = linear < 0
    magnitude = np.minimum(np.abs(linear), _MULAW_CLIP) + _MULAW_BIAS
    exponent = _highest_bit(magnitude >> 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    code = (negative.astype(np.int32) << 7) | (exponent << 4) | mantissa
    by_value = (~code & 0xFF).astype(np.uint8)
    # Reorder so that the table is indexed by the int16 bit pattern read as uint16.
    table = np.roll(by_value, -32768)
    table.flags.writeable = False
    return table


@cache
def _alaw_encode_table() -> np.ndarray:
    linear = np.arange(-32768, 32768, dtype=np.int32)
    positive = linear >= 0
    magnitude = np.minimum(np.abs(linear), 32767)
    exponent = _highest_bit(magnitude >> 8)
    exponent = np.where(magnitude >= 256, exponent + 1, 0)
    mantissa = (magnitude >> (np.maximum(exponent, 1) + 3)) & 0x0F
    code = (positive.astype(np.int32) << 7) | (exponent << 4) | mantissa
    by_value = (code ^ 0x55).astype(np.uint8)
    table = np.roll(by_value, -32768)
    table.flags.writeable = False
    return table


def _as_codes(data: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    if isinstance(data, np.ndarray):
        if data.dtype != np.uint8:
            raise TypeError(f"G.711 codes must be uint8, got {data.dtype}")
        return data
    return np.frombuffer(data, dtype=np.uint8)


def _as_uint16_view(samples: np.ndarray | bytes | bytearray | memoryview) -> np.ndarray:
    if isinstance(samples, np.ndarray):
        if samples.dtype.kind != "i" or samples.dtype.itemsize != 2:
            raise TypeError(f"linear samples must be int16, got {samples.dtype}")
        return samples.astype(np.int16, copy=False).view(np.uint16)
    if len(samples) % 2:
        raise ValueError(f"PCM16 data has an odd byte count ({len(samples)})")
    return np.frombuffer(samples, dtype="<i2").astype(np.int16, copy=False).view(np.uint16)


def mulaw_decode(codes: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """mu-law codes (bytes or uint8 array) -> int16 samples."""
    return MULAW_DECODE_TABLE[_as_codes(codes)]


def alaw_decode(codes: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """A-law codes (bytes or uint8 array) -> int16 samples."""
    return ALAW_DECODE_TABLE[_as_codes(codes)]


def mulaw_encode(samples: np.ndarray | bytes | bytearray | memoryview) -> np.ndarray:
    """int16 samples (array, or PCM16 little-endian bytes) -> uint8 mu-law codes."""
    return _mulaw_encode_table()[_as_uint16_view(samples)]


def alaw_encode(samples: np.ndarray | bytes | bytearray | memoryview) -> np.ndarray:
    """int16 samples (array, or PCM16 little-endian bytes) -> uint8 A-law codes."""
    return _alaw_encode_table()[_as_uint16_view(samples)]
