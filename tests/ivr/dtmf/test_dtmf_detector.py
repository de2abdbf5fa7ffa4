"""The DTMF detector on generated key presses: every key, noise, G.711, timing rules,
twist and level limits, streaming in pieces."""

from __future__ import annotations

import numpy as np
import pytest

from ivr.audio.g711 import alaw_decode, alaw_encode, mulaw_decode, mulaw_encode
from ivr.dtmf import (
    DIGITS,
    DtmfDetector,
    DtmfDigit,
    DtmfSettings,
    digit_frequencies,
    dtmf_sequence,
    dtmf_tone,
    goertzel_power,
)

from .keypresses import detect, keys, off_frequency_tone, silence, with_noise

RATES = [8000, 16000]


def one_press(
    digit: str,
    rate_hz: int,
    *,
    tone_s: float = 0.08,
    level_dbm0: float = -20.0,
    twist_db: float = 0.0,
    lead_s: float = 0.1,
) -> np.ndarray:
    return np.concatenate(
        (
            silence(rate_hz, lead_s),
            dtmf_tone(digit, rate_hz, tone_s, level_dbm0, twist_db),
            silence(rate_hz, 0.1),
        )
    )


@pytest.mark.parametrize("rate_hz", RATES)
def test_matrix_form_equals_the_goertzel_recursion(rate_hz: int) -> None:
    detector = DtmfDetector(rate_hz)
    rng = np.random.default_rng(1)
    block = rng.normal(0, 3000, detector.block_samples) + dtmf_tone(
        "6", rate_hz, detector.block_samples / rate_hz, -12.0
    )
    powers = detector.tone_powers(block)
    low, high = digit_frequencies("6")
    frequencies = (697, 770, 852, 941, 1209, 1336, 1477, 1633)
    expected = [goertzel_power(block, f, rate_hz) for f in frequencies]
    np.testing.assert_allclose(powers, expected, rtol=1e-9)
    assert frequencies[int(np.argmax(powers[:4]))] == low
    assert frequencies[4 + int(np.argmax(powers[4:]))] == high


def test_block_sizes() -> None:
    assert DtmfDetector(8000).block_samples == 104
    assert DtmfDetector(16000).block_samples == 208


@pytest.mark.parametrize("rate_hz", RATES)
def test_every_key_at_minus_20_dbm0_in_noise(rate_hz: int) -> None:
    rng = np.random.default_rng(rate_hz)
    for digit in DIGITS:
        signal = with_noise(one_press(digit, rate_hz), -20.0, 20.0, rng)
        found = detect(signal, rate_hz)
        assert keys(found) == digit
        assert found[0].start_s == pytest.approx(0.1, abs=0.015)
        assert found[0].end_s == pytest.approx(0.18, abs=0.015)


@pytest.mark.parametrize(
    ("encode", "decode"), [(mulaw_encode, mulaw_decode), (alaw_encode, alaw_decode)]
)
def test_every_key_through_g711(encode, decode) -> None:
    rng = np.random.default_rng(7)
    for digit in DIGITS:
        signal = with_noise(one_press(digit, 8000), -20.0, 20.0, rng)
        assert keys(detect(decode(encode(signal)), 8000)) == digit


@pytest.mark.parametrize("rate_hz", RATES)
def test_every_key_off_frequency_by_1_5_percent(rate_hz: int) -> None:
    for deviation in (-0.015, 0.015):
        for digit in DIGITS:  # 40 ms presses: the shortest that must count
            tone = off_frequency_tone(digit, rate_hz, 0.04, -20.0, deviation)
            signal = np.concatenate((silence(rate_hz, 0.05), tone, silence(rate_hz, 0.05)))
            assert keys(detect(signal, rate_hz)) == digit, (digit, deviation)


@pytest.mark.parametrize("rate_hz", RATES)
def test_sequence_with_short_gaps_in_order(rate_hz: int) -> None:
    rng = np.random.default_rng(3)
    typed = DIGITS + "0123456789"
    signal = dtmf_sequence(typed, rate_hz, tone_s=0.05, gap_s=0.045, level_dbm0=-20.0)
    signal = with_noise(np.concatenate((signal, silence(rate_hz, 0.1))), -20.0, 20.0, rng)
    found = detect(signal, rate_hz)
    assert keys(found) == typed
    starts = [d.start_s for d in found]
    assert starts == sorted(starts)
    for i, press in enumerate(found):
        assert press.start_s == pytest.approx(i * 0.095, abs=0.015)


@pytest.mark.parametrize("rate_hz", RATES)
def test_same_key_twice_after_a_40_ms_pause_counts_twice(rate_hz: int) -> None:
    for offset in range(0, 30, 3):  # every alignment of the tones to the blocks
        signal = np.concatenate(
            (
                np.zeros(offset, np.int16),
                dtmf_sequence("5599", rate_hz, tone_s=0.06, gap_s=0.04, level_dbm0=-25.0),
                silence(rate_hz, 0.1),
            )
        )
        assert keys(detect(signal, rate_hz)) == "5599"


@pytest.mark.parametrize("rate_hz", RATES)
def test_held_key_with_a_10_ms_drop_out_reports_once(rate_hz: int) -> None:
    held = dtmf_tone("#", rate_hz, 1.5, -15.0)
    held[round(0.7 * rate_hz) : round(0.71 * rate_hz)] = 0
    signal = np.concatenate((silence(rate_hz, 0.2), held, silence(rate_hz, 0.2)))
    found = detect(signal, rate_hz)
    assert found == [DtmfDigit("#", found[0].start_s, found[0].end_s)]
    assert found[0].start_s == pytest.approx(0.2, abs=0.01)
    assert found[0].end_s == pytest.approx(1.7, abs=0.01)


@pytest.mark.parametrize("rate_hz", RATES)
def test_too_short_tones_are_rejected_and_40_ms_accepted(rate_hz: int) -> None:
    rng = np.random.default_rng(11)
    for offset in range(0, 52, 4):  # every alignment of the tone to the blocks
        lead = 0.05 + offset / rate_hz
        for digit in "1D":
            for tone_s in (0.015, 0.020, 0.023):
                signal = with_noise(
                    one_press(digit, rate_hz, tone_s=tone_s, lead_s=lead), -20.0, 25.0, rng
                )
                assert detect(signal, rate_hz) == [], (tone_s, offset)
            signal = with_noise(
                one_press(digit, rate_hz, tone_s=0.04, lead_s=lead), -20.0, 25.0, rng
            )
            assert keys(detect(signal, rate_hz)) == digit, offset


@pytest.mark.parametrize("rate_hz", RATES)
def test_twist_within_limits_accepted_beyond_rejected(rate_hz: int) -> None:
    settings = DtmfSettings()
    for digit in DIGITS:
        for twist_db in (settings.twist_max_db - 0.5, settings.twist_min_db + 0.5, 0.0):
            signal = one_press(digit, rate_hz, level_dbm0=-15.0, twist_db=twist_db)
            assert keys(detect(signal, rate_hz)) == digit, (digit, twist_db)
        for twist_db in (settings.twist_max_db + 1.0, settings.twist_min_db - 1.5):
            signal = one_press(digit, rate_hz, level_dbm0=-15.0, twist_db=twist_db)
            assert detect(signal, rate_hz) == [], (digit, twist_db)


def test_twist_limits_are_settings() -> None:
    wide = DtmfSettings(twist_max_db=10.0, twist_min_db=-14.0)
    signal = one_press("2", 8000, level_dbm0=-12.0, twist_db=8.0)
    assert detect(signal, 8000) == []
    assert keys(detect(signal, 8000, settings=wide)) == "2"


@pytest.mark.parametrize("rate_hz", RATES)
def test_level_floor(rate_hz: int) -> None:
    rng = np.random.default_rng(5)
    for digit in "3*":
        loud_enough = with_noise(one_press(digit, rate_hz, level_dbm0=-30.0), -30.0, 20.0, rng)
        assert keys(detect(loud_enough, rate_hz)) == digit
        too_faint = one_press(digit, rate_hz, level_dbm0=-38.0)
        assert detect(too_faint, rate_hz) == []


@pytest.mark.parametrize("rate_hz", RATES)
def test_other_sounds_are_not_keys(rate_hz: int) -> None:
    rng = np.random.default_rng(9)
    t = np.arange(rate_hz) / rate_hz

    def pcm(x: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(x), -32768, 32767).astype(np.int16)

    def chord(amplitude: float, *freqs_hz: float) -> np.ndarray:
        return pcm(amplitude * sum(np.sin(2 * np.pi * f * t) for f in freqs_hz))

    sounds = {
        "loud white noise": pcm(rng.normal(0, 8000, rate_hz)),
        "dial tone 350+440 Hz": chord(5000, 350, 440),
        "row tone alone": chord(8000, 770),
        "column tone alone": chord(8000, 1336),
        "row + two columns": chord(5000, 852, 1209, 1477),
        "key 5 under loud noise": pcm(
            dtmf_tone("5", rate_hz, 1.0, -20) + rng.normal(0, 6000, t.size)
        ),
        "key 1 with a third tone": chord(4000, 697, 1209, 440),
    }
    for name, sound in sounds.items():
        assert detect(sound, rate_hz) == [], name


@pytest.mark.parametrize("rate_hz", RATES)
def test_pieces_of_any_size_give_the_same_presses(rate_hz: int) -> None:
    rng = np.random.default_rng(13)
    signal = with_noise(
        np.concatenate(
            (
                silence(rate_hz, 0.07),
                dtmf_sequence("147*2580369#ABCD", rate_hz, 0.05, 0.05, -18.0),
                silence(rate_hz, 0.03),
            )
        ),
        -18.0,
        20.0,
        rng,
    )
    whole = detect(signal, rate_hz)
    assert keys(whole) == "147*2580369#ABCD"
    data = signal.astype("<i2").tobytes()
    for _ in range(3):
        detector = DtmfDetector(rate_hz)
        found: list[DtmfDigit] = []
        position = 0
        while position < len(data):
            size = int(rng.integers(1, 900))  # odd byte counts too
            found += detector.feed(data[position : position + size])
            position += size
        found += detector.flush()
        assert found == whole
    detector = DtmfDetector(rate_hz)
    pieces = np.split(signal, np.sort(rng.integers(1, signal.size, 40)))
    found = [d for piece in pieces for d in detector.feed(piece)] + detector.flush()
    assert found == whole


def test_presses_are_reported_once_the_key_is_released() -> None:
    detector = DtmfDetector(8000)
    assert detector.feed(silence(8000, 0.1)) == []
    assert detector.feed(dtmf_tone("7", 8000, 0.2, -10.0)) == []  # still held
    assert detector.feed(silence(8000, 0.02)) == []  # a drop-out, maybe
    released = detector.feed(silence(8000, 0.05))
    assert keys(released) == "7"
    assert detector.feed(silence(8000, 1.0)) == []


def test_flush_reports_a_key_still_held_and_starts_again_at_zero() -> None:
    detector = DtmfDetector(8000)
    assert detector.feed(np.concatenate((silence(8000, 0.5), dtmf_tone("9", 8000, 0.1)))) == []
    [held] = detector.flush()
    assert held.digit == "9"
    assert held.start_s == pytest.approx(0.5, abs=0.01)
    assert held.end_s == pytest.approx(0.6, abs=0.01)
    again = detector.feed(one_press("0", 8000, lead_s=0.2)) + detector.flush()
    assert keys(again) == "0"
    assert again[0].start_s == pytest.approx(0.2, abs=0.01)
    detector.feed(dtmf_tone("1", 8000, 0.1))
    detector.reset()
    assert detector.flush() == []


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="rate_hz"):
        DtmfDetector(1000)
    with pytest.raises(TypeError, match="int16"):
        DtmfDetector(8000).feed(np.zeros(100, dtype=np.float32))
    with pytest.raises(TypeError, match="int16"):
        DtmfDetector(8000).feed(np.zeros((10, 2), dtype=np.int16))
    with pytest.raises(ValueError, match="twist"):
        DtmfSettings(twist_min_db=5.0, twist_max_db=4.0)
    with pytest.raises(ValueError, match="hop_s"):
        DtmfSettings(hop_s=0.0)
    with pytest.raises(ValueError, match="min_peak_energy_ratio"):
        DtmfSettings(min_peak_energy_ratio=1.5)


def test_quiet_pieces_skip_the_filters_with_the_same_answers() -> None:
    """A piece too quiet for any tone skips the filters: over silence, faint
    noise, keys near the level limit, loud noise and speech-like bursts, fed
    in random piece sizes, the detector finds what the filters alone find,
    at the same times."""
    from ivr.dtmf import dtmf_tone

    from .keypresses import silence as quiet
    from .keypresses import with_noise

    rng = np.random.default_rng(7)
    for rate_hz in (8000, 16000):
        parts = []
        for i, digit in enumerate("159#0*"):
            level = (-10.0, -30.0, -32.5, -34.0, -20.0, -33.0)[i]
            parts.append(quiet(rate_hz, rng.uniform(0.01, 0.5)))
            parts.append(with_noise(quiet(rate_hz, 0.2), -60.0, 0.0, rng))  # faint line noise
            tone = dtmf_tone(digit, rate_hz, duration_s=rng.uniform(0.02, 0.12), level_dbm0=level)
            parts.append(tone)
            parts.append(quiet(rate_hz, rng.uniform(0.0, 0.06)))
            parts.append(with_noise(quiet(rate_hz, 0.1), -10.0, 0.0, rng))  # loud noise
        signal = np.concatenate(parts)
        answers, classified = [], []
        for skip in (True, False):
            detector = DtmfDetector(rate_hz)
            detector.skip_quiet_pieces = skip
            calls = []
            plain = detector._classify
            detector._classify = lambda blocks, plain=plain, calls=calls: (  # type: ignore[method-assign]
                calls.append(len(blocks)) or plain(blocks)
            )
            found, i = [], 0
            cuts = np.random.default_rng(rate_hz)
            while i < signal.size:
                n = int(cuts.integers(1, rate_hz // 5))
                found += detector.feed(signal[i : i + n].tobytes())
                i += n
            answers.append(found + detector.flush())
            classified.append(len(calls))
        assert answers[0] == answers[1], (answers, classified)
        assert [d.digit for d in answers[0]][:2] == ["1", "5"]  # the louder keys at least
        assert classified[0] < classified[1] / 2  # most pieces skipped the filters
