"""Resampling: tones keep frequency and level, nothing folds back, chunked equals whole."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ivr.audio.resample import SUPPORTED_RATES_HZ, Resampler, design_filter, resample

PAIRS = [(a, b) for a, b in itertools.permutations(SUPPORTED_RATES_HZ, 2)]
DOWN_PAIRS = [(a, b) for a, b in PAIRS if b < a]


def tone(freq_hz: float, rate_hz: int, duration_s: float, amplitude: float = 8000.0) -> np.ndarray:
    t = np.arange(round(rate_hz * duration_s)) / rate_hz
    return np.rint(amplitude * np.sin(2 * math.pi * freq_hz * t)).astype(np.int16)


def interior(x: np.ndarray, rate_hz: int, duration_s: float = 0.25) -> np.ndarray:
    """Exactly `duration_s` from the middle of a signal, away from its edges."""
    n = round(rate_hz * duration_s)
    start = (x.size - n) // 2
    return x[start : start + n].astype(np.float64)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def amplitude_at(x: np.ndarray, rate_hz: int, freq_hz: float) -> float:
    """Amplitude of the sinusoid at freq_hz (a whole number of cycles fits in x)."""
    t = np.arange(x.size) / rate_hz
    return float(2 * abs(np.mean(x * np.exp(-2j * math.pi * freq_hz * t))))


def peak_frequency(x: np.ndarray, rate_hz: int) -> float:
    """Frequency of the strongest component (windowed FFT, parabolic interpolation)."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    k = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[k - 1 : k + 2])
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + offset) * rate_hz / x.size


@pytest.mark.parametrize(("in_hz", "out_hz"), PAIRS)
def test_tone_keeps_frequency_and_level(in_hz: int, out_hz: int) -> None:
    freq_hz = 1000.0
    x = tone(freq_hz, in_hz, 0.6)
    y = resample(x, in_hz, out_hz)
    assert y.dtype == np.int16
    assert y.size == math.ceil(x.size * out_hz / in_hz)
    got = interior(y, out_hz)
    assert peak_frequency(got, out_hz) == pytest.approx(freq_hz, abs=1.0)
    level_db = 20 * math.log10(rms(got) / rms(interior(x, in_hz)))
    assert abs(level_db) < 0.05


@pytest.mark.parametrize(("in_hz", "out_hz"), [(8000, 16000), (16000, 8000), (44100, 16000)])
def test_passband_is_flat_up_to_the_telephone_band(in_hz: int, out_hz: int) -> None:
    for freq_hz in (100.0, 300.0, 2000.0, 3400.0):
        x = tone(freq_hz, in_hz, 0.6)
        got = interior(resample(x, in_hz, out_hz), out_hz)
        level_db = 20 * math.log10(rms(got) / rms(interior(x, in_hz)))
        assert abs(level_db) < 0.1, freq_hz


@pytest.mark.parametrize(("in_hz", "out_hz"), DOWN_PAIRS)
def test_tones_above_the_new_nyquist_are_attenuated_60_db(in_hz: int, out_hz: int) -> None:
    nyquist_out = out_hz / 2
    candidates = [nyquist_out * 1.01, nyquist_out * 1.25, nyquist_out * 2.2, in_hz * 0.45]
    freqs = [f for f in candidates if nyquist_out < f < in_hz * 0.48]  # representable at in_hz
    assert freqs
    for freq_hz in freqs:
        x = tone(freq_hz, in_hz, 0.6, amplitude=20000.0)
        got = interior(resample(x, in_hz, out_hz), out_hz)
        attenuation_db = 20 * math.log10(max(rms(got), 1e-9) / rms(interior(x, in_hz)))
        assert attenuation_db <= -60.0, (freq_hz, attenuation_db)


@pytest.mark.parametrize(("in_hz", "out_hz"), [(8000, 16000), (8000, 48000), (16000, 44100)])
def test_upsampling_leaves_no_images_above_the_old_nyquist(in_hz: int, out_hz: int) -> None:
    freq_hz = 3000.0  # image of a 3 kHz tone sampled at in_hz appears at in_hz - 3 kHz
    got = interior(resample(tone(freq_hz, in_hz, 0.6, amplitude=20000.0), in_hz, out_hz), out_hz)
    wanted = amplitude_at(got, out_hz, freq_hz)
    image = amplitude_at(got, out_hz, in_hz - freq_hz)
    assert wanted == pytest.approx(20000.0, rel=0.01)
    assert 20 * math.log10(image / wanted) <= -60.0


@pytest.mark.parametrize(("in_hz", "out_hz"), PAIRS)
def test_chunked_stream_equals_whole_signal(in_hz: int, out_hz: int) -> None:
    rng = np.random.default_rng(in_hz * 7 + out_hz)
    x = np.clip(rng.normal(0, 6000, round(in_hz * 0.3)), -32768, 32767).astype(np.int16)
    whole = resample(x, in_hz, out_hz)
    stream = Resampler(in_hz, out_hz)
    step = in_hz // 50  # 20 ms chunks, resampled one by one
    pieces = [stream.process(x[i : i + step]) for i in range(0, x.size, step)]
    pieces.append(stream.flush())
    chunked = np.concatenate(pieces)
    assert chunked.size == whole.size
    assert np.max(np.abs(chunked.astype(np.int32) - whole)) <= 1


def test_irregular_chunks_equal_whole_signal() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-20000, 20000, 5000).astype(np.int16)
    whole = resample(x, 44100, 16000)
    stream = Resampler(44100, 16000)
    pieces, i = [], 0
    for size in itertools.cycle([1, 0, 7, 333, 2, 1500]):
        if i >= x.size:
            break
        pieces.append(stream.process(x[i : i + size]))
        i += size
    pieces.append(stream.flush())
    chunked = np.concatenate(pieces)
    assert chunked.size == whole.size
    assert np.max(np.abs(chunked.astype(np.int32) - whole)) <= 1


def test_output_is_time_aligned_with_input() -> None:
    x = np.zeros(800, dtype=np.int16)
    x[400] = 20000
    y = resample(x, 8000, 16000)
    assert int(np.argmax(y)) == 800
    z = resample(x, 8000, 48000)
    assert int(np.argmax(z)) == 2400


def test_stream_reports_counts_and_holds_back_only_the_filter_lookahead() -> None:
    stream = Resampler(8000, 16000)
    out = stream.process(np.zeros(160, dtype=np.int16))
    assert stream.samples_in == 160
    assert out.size == 2 * (160 - stream.delay_samples)
    assert stream.samples_out == out.size
    assert stream.flush().size == 2 * stream.delay_samples


def test_full_scale_square_wave_saturates_instead_of_wrapping() -> None:
    x = np.where(np.arange(1600) % 40 < 20, 32767, -32768).astype(np.int16)
    y = resample(x, 8000, 16000).astype(np.int32)
    # Gibbs overshoot exceeds int16; a wrap-around would flip the sign at the edges.
    expected_sign = np.sign(resample(x // 2, 8000, 16000).astype(np.int32))
    strong = np.abs(resample(x // 2, 8000, 16000)) > 1000
    assert np.all(np.sign(y[strong]) == expected_sign[strong])
    assert y.max() == 32767 and y.min() == -32768


def test_same_rate_is_a_copy() -> None:
    x = np.arange(-50, 50, dtype=np.int16)
    stream = Resampler(16000, 16000)
    y = stream.process(x)
    np.testing.assert_array_equal(y, x)
    assert y is not x
    assert stream.flush().size == 0


def test_filter_is_designed_once_per_rate_pair() -> None:
    assert design_filter(8000, 16000) is design_filter(8000, 16000)
    f = design_filter(44100, 48000)
    assert (f.up, f.down) == (160, 147)
    np.testing.assert_allclose(f.phases.sum(axis=1), 1.0)


def test_misuse_is_reported() -> None:
    with pytest.raises(ValueError, match="positive"):
        Resampler(0, 16000)
    with pytest.raises(ValueError, match="too fine"):
        Resampler(44101, 48000)
    stream = Resampler(8000, 16000)
    with pytest.raises(ValueError, match="1-D"):
        stream.process(np.zeros((10, 2), dtype=np.int16))
    stream.flush()
    with pytest.raises(RuntimeError, match="after flush"):
        stream.process(np.zeros(10, dtype=np.int16))
    stream.reset()
    assert stream.process(np.zeros(160, dtype=np.int16)).size > 0
