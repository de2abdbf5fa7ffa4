"""G.711 tables against the bit-level definition, over all 256 codes and all 65536 samples."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ivr.audio.g711 import (
    ALAW_DECODE_TABLE,
    MULAW_DECODE_TABLE,
    alaw_decode,
    alaw_encode,
    mulaw_decode,
    mulaw_encode,
)

Codec = Callable[[np.ndarray], np.ndarray]

ALL_CODES = np.arange(256, dtype=np.uint8)
ALL_SAMPLES = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)


def reference_mulaw(code: int) -> int:
    """One code, decoded bit by bit as the G.711 definition states it."""
    bits = ~code & 0xFF
    sign = bits & 0x80
    exponent = (bits >> 4) & 0x07
    mantissa = bits & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return -magnitude if sign else magnitude


def reference_alaw(code: int) -> int:
    bits = code ^ 0x55
    sign = bits & 0x80
    exponent = (bits >> 4) & 0x07
    mantissa = bits & 0x0F
    if exponent == 0:
        magnitude = (mantissa << 4) + 8
    else:
        magnitude = ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if sign else -magnitude


@pytest.mark.parametrize(
    ("decode", "reference"), [(mulaw_decode, reference_mulaw), (alaw_decode, reference_alaw)]
)
def test_decode_matches_bit_level_definition_for_all_codes(
    decode: Codec, reference: Callable[[int], int]
) -> None:
    decoded = decode(ALL_CODES)
    assert decoded.dtype == np.int16
    assert [int(v) for v in decoded] == [reference(c) for c in range(256)]


def test_decode_accepts_bytes_and_tables_are_read_only() -> None:
    data = bytes([0x00, 0x7F, 0x80, 0xFF])
    assert mulaw_decode(data).tolist() == [-32124, 0, 32124, 0]
    assert alaw_decode(bytes([0xD5, 0x55, 0xAA, 0x2A])).tolist() == [8, -8, 32256, -32256]
    with pytest.raises(ValueError):
        MULAW_DECODE_TABLE[0] = 1
    with pytest.raises(ValueError):
        ALAW_DECODE_TABLE[0] = 1


def test_mulaw_decode_encode_gives_back_every_code_except_negative_zero() -> None:
    again = mulaw_encode(mulaw_decode(ALL_CODES))
    differing = np.nonzero(again != ALL_CODES)[0].tolist()
    assert differing == [0x7F]  # -0 decodes to 0, and 0 is always encoded as +0
    assert int(again[0x7F]) == 0xFF
    assert np.nonzero(MULAW_DECODE_TABLE == 0)[0].tolist() == [0x7F, 0xFF]


def test_alaw_decode_encode_gives_back_every_code() -> None:
    np.testing.assert_array_equal(alaw_encode(alaw_decode(ALL_CODES)), ALL_CODES)
    assert not np.any(ALAW_DECODE_TABLE == 0)  # A-law has no zero level


def test_silence_codes() -> None:
    assert mulaw_encode(np.zeros(3, np.int16)).tolist() == [0xFF] * 3
    assert alaw_encode(np.zeros(3, np.int16)).tolist() == [0xD5] * 3


@pytest.mark.parametrize(
    ("encode", "decode"), [(mulaw_encode, mulaw_decode), (alaw_encode, alaw_decode)]
)
def test_encoder_quantises_every_sample_into_its_decision_interval(
    encode: Codec, decode: Codec
) -> None:
    codes = encode(ALL_SAMPLES)
    assert codes.dtype == np.uint8
    decoded = decode(codes).astype(np.int64)
    x = ALL_SAMPLES.astype(np.int64)
    # A quantiser: monotone in the input...
    assert np.all(np.diff(decoded) >= 0)
    # ...whose error never exceeds half of the step on either side of the chosen level,
    levels = np.unique(decode(ALL_CODES).astype(np.int64))
    k = np.searchsorted(levels, decoded)
    gaps = np.diff(levels)
    left = np.where(k > 0, gaps[np.maximum(k - 1, 0)], 0)
    right = np.where(k < levels.size - 1, gaps[np.minimum(k, gaps.size - 1)], 0)
    inside = np.abs(x) <= levels.max()
    err = np.abs(decoded - x)
    assert np.all(err[inside] <= np.maximum(left, right)[inside] / 2)
    # ...and saturating beyond the largest level.
    assert np.all(decoded[x > levels.max()] == levels.max())
    assert np.all(decoded[x < levels.min()] == levels.min())


def test_encode_is_symmetric() -> None:
    positive = np.arange(1, 32768, dtype=np.int16)
    np.testing.assert_array_equal(
        mulaw_decode(mulaw_encode(-positive)), -mulaw_decode(mulaw_encode(positive))
    )


def test_encode_accepts_little_endian_bytes() -> None:
    samples = np.array([0, 1000, -1000, 32767, -32768], dtype=np.int16)
    data = samples.astype("<i2").tobytes()
    np.testing.assert_array_equal(mulaw_encode(data), mulaw_encode(samples))
    np.testing.assert_array_equal(alaw_encode(data), alaw_encode(samples))


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="odd byte count"):
        mulaw_encode(b"\x00\x01\x02")
    with pytest.raises(TypeError, match="int16"):
        alaw_encode(np.zeros(4, dtype=np.float32))
    with pytest.raises(TypeError, match="uint8"):
        mulaw_decode(np.zeros(4, dtype=np.int16))
