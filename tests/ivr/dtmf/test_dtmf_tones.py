"""The tone generator and the dBm0 reference: levels, twist, frequencies, sequences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ivr.dtmf import (
    DIGITS,
    amplitude_of_dbm0,
    dbm0_of_amplitude,
    digit_frequencies,
    dtmf_sequence,
    dtmf_tone,
    goertzel_power,
)


def tone_level_dbm0(samples: np.ndarray, freq_hz: float, rate_hz: int) -> float:
    """Level of the sine at ``freq_hz`` in ``samples`` (whole cycles: an exact filter)."""
    power = goertzel_power(samples, freq_hz, rate_hz)
    return dbm0_of_amplitude(2 * math.sqrt(power) / samples.size)


def test_level_reference_is_g711s() -> None:
    # A full-scale sine is +3.17 dBm0; 0 dBm0 peaks about 3.17 dB below full scale.
    assert dbm0_of_amplitude(32768) == pytest.approx(3.17)
    assert amplitude_of_dbm0(0.0) == pytest.approx(22748, abs=1)
    assert dbm0_of_amplitude(amplitude_of_dbm0(-27.5)) == pytest.approx(-27.5)


def test_keypad_frequencies() -> None:
    assert digit_frequencies("1") == (697.0, 1209.0)
    assert digit_frequencies("0") == (941.0, 1336.0)
    assert digit_frequencies("#") == (941.0, 1477.0)
    assert digit_frequencies("d") == digit_frequencies("D") == (941.0, 1633.0)
    assert sorted(DIGITS) == sorted("0123456789*#ABCD")
    for bad in ("E", "11", "", " "):
        with pytest.raises(ValueError, match="not a DTMF key"):
            digit_frequencies(bad)


@pytest.mark.parametrize("rate_hz", [8000, 16000])
@pytest.mark.parametrize("digit", ["1", "5", "#", "D"])
def test_each_tone_is_at_the_level_asked(digit: str, rate_hz: int) -> None:
    tone = dtmf_tone(digit, rate_hz, duration_s=1.0, level_dbm0=-20.0)
    assert tone.dtype == np.int16 and tone.size == rate_hz
    low_hz, high_hz = digit_frequencies(digit)
    assert tone_level_dbm0(tone, low_hz, rate_hz) == pytest.approx(-20.0, abs=0.05)
    assert tone_level_dbm0(tone, high_hz, rate_hz) == pytest.approx(-20.0, abs=0.05)
    # Nothing at the other keypad frequencies.
    other_hz = 1000.0
    assert tone_level_dbm0(tone, other_hz, rate_hz) < -60


def test_twist_is_high_minus_low_split_evenly() -> None:
    tone = dtmf_tone("8", 8000, duration_s=1.0, level_dbm0=-15.0, twist_db=6.0)
    low = tone_level_dbm0(tone, 852.0, 8000)
    high = tone_level_dbm0(tone, 1336.0, 8000)
    assert high - low == pytest.approx(6.0, abs=0.05)
    assert low == pytest.approx(-18.0, abs=0.05)
    assert high == pytest.approx(-12.0, abs=0.05)


def test_loud_tones_saturate_instead_of_wrapping() -> None:
    tone = dtmf_tone("1", 8000, duration_s=0.05, level_dbm0=3.0)
    assert tone.max() == 32767 and tone.min() == -32768


def test_sequence_layout() -> None:
    seq = dtmf_sequence("19#", 8000, tone_s=0.05, gap_s=0.03, level_dbm0=-10.0)
    assert seq.size == 3 * 400 + 2 * 240
    assert np.array_equal(seq[:400], dtmf_tone("1", 8000, 0.05, -10.0))
    assert not seq[400:640].any()
    assert np.array_equal(seq[640:1040], dtmf_tone("9", 8000, 0.05, -10.0))
    assert dtmf_sequence("", 8000).size == 0
    with pytest.raises(ValueError, match="not a DTMF key"):
        dtmf_sequence("12x")
    with pytest.raises(ValueError, match="rate_hz"):
        dtmf_tone("1", rate_hz=0)
