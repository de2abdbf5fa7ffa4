from __future__ import annotations

import numpy as np
import pytest

from assist.anger.pitch import Decimator, PitchTracker, downsampler

from .signals import voice


def harmonic(
    f0_hz: float, seconds: float, rate_hz: int, first_harmonic: int = 1, snr_db: float = 30.0
) -> np.ndarray:
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    x = sum(
        np.sin(2 * np.pi * k * f0_hz * t + k) / k
        for k in range(first_harmonic, 25)
        if k * f0_hz < 0.45 * rate_hz
    )
    x = x / np.sqrt(np.mean(x**2))
    x = x + rng.normal(size=t.size) * 10 ** (-snr_db / 20)
    return x * 3000


def median_f0(samples: np.ndarray, rate_hz: int) -> tuple[float, float]:
    times, frames = PitchTracker(rate_hz).track(samples)
    inner = (times > 0.1) & (times < times[-1] - 0.1)
    f0 = frames.f0_hz[inner]
    voiced = ~np.isnan(f0)
    return (float(np.median(f0[voiced])) if voiced.any() else float("nan")), float(np.mean(voiced))


@pytest.mark.parametrize("rate_hz", [8000, 16000])
@pytest.mark.parametrize("f0_hz", [70.0, 110.0, 180.0, 260.0, 420.0])
def test_tracks_harmonic_tones(rate_hz: int, f0_hz: float) -> None:
    estimate, voiced = median_f0(harmonic(f0_hz, 1.0, rate_hz), rate_hz)
    assert estimate == pytest.approx(f0_hz, rel=0.02)
    assert voiced > 0.95


def test_missing_fundamental_in_telephone_band_is_not_an_octave_error() -> None:
    # 100 Hz voice with harmonics from the 3rd up (as after a 300 Hz high-pass).
    estimate, voiced = median_f0(harmonic(100.0, 1.0, 8000, first_harmonic=3), 8000)
    assert estimate == pytest.approx(100.0, rel=0.03)
    assert voiced > 0.9


def test_noise_is_unvoiced() -> None:
    noise = np.random.default_rng(5).normal(size=16000) * 3000
    _, voiced = median_f0(noise, 16000)
    assert voiced < 0.05


def test_silence_is_unvoiced() -> None:
    _, voiced = median_f0(np.zeros(8000), 8000)
    assert voiced == 0.0


def test_follows_a_glide() -> None:
    rate = 16000
    t = np.arange(rate * 2) / rate
    f = 120 * 2 ** (t / 2)  # one octave up over 2 s
    x = sum(np.sin(k * 2 * np.pi * np.cumsum(f) / rate) / k for k in range(1, 20)) * 3000
    times, frames = PitchTracker(rate).track(x)
    truth = 120 * 2 ** (times / 2)
    ok = np.abs(frames.f0_hz / truth - 1) < 0.05
    inner = (times > 0.1) & (times < 1.9)
    assert ok[inner].mean() > 0.97


def test_chunked_and_whole_signal_agree() -> None:
    x = voice(150, 2.0, 16000)
    _, whole = PitchTracker(16000).track(x, block=x.size)
    _, chunked = PitchTracker(16000).track(x, block=320)
    np.testing.assert_allclose(whole.f0_hz, chunked.f0_hz, equal_nan=True)


def test_frame_times_are_audio_times() -> None:
    tracker = PitchTracker(8000)
    times = tracker.frame_times_s(0, 3)
    np.testing.assert_allclose(np.diff(times), 0.01)
    assert 0.0 < times[0] < 0.03


def test_decimator_keeps_the_band_and_drops_aliases() -> None:
    rate = 16000
    t = np.arange(rate) / rate
    dec = Decimator(2)
    inband = np.concatenate(
        [dec.process(c) for c in np.array_split(np.sin(2 * np.pi * 3000 * t) * 1000, 7)]
    )
    dec = Decimator(2)
    alias = np.concatenate(
        [dec.process(c) for c in np.array_split(np.sin(2 * np.pi * 6000 * t) * 1000, 7)]
    )
    assert inband.size == alias.size == 8000
    assert np.sqrt(np.mean(inband[200:] ** 2)) == pytest.approx(1000 / np.sqrt(2), rel=0.05)
    assert np.sqrt(np.mean(alias[200:] ** 2)) < 10
    assert isinstance(downsampler(16000), Decimator)
    assert not isinstance(downsampler(22050), Decimator)
