from __future__ import annotations

import numpy as np

from ivr.modelbuild.augment import (
    add_noise,
    apply_gain,
    telephone_band,
    telephone_line,
    treble_shelf,
    warp_speed,
)

RATE = 16000


def _band_energy(x: np.ndarray, lo: float, hi: float) -> float:
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    return float(spec[(freqs >= lo) & (freqs < hi)].sum())


def test_telephone_band_removes_what_a_phone_line_cannot_carry() -> None:
    x = np.random.default_rng(0).normal(0, 3000, RATE).astype(np.float32)
    y = telephone_band(x, RATE)
    assert len(y) == len(x) and len(telephone_line(x, RATE)) == RATE // 2
    assert _band_energy(y, 4500, 8000) < 1e-3 * _band_energy(x, 4500, 8000)
    assert _band_energy(y, 100, 200) < 0.1 * _band_energy(x, 100, 200)
    assert 0.5 < _band_energy(y, 1000, 2000) / _band_energy(x, 1000, 2000) < 1.5
    mu = telephone_band(x, RATE, mulaw=True)
    assert not np.array_equal(mu, y) and np.corrcoef(mu, y)[0, 1] > 0.95


def test_noise_level_follows_snr() -> None:
    x = (3000 * np.sin(np.arange(RATE) * 0.1)).astype(np.float32)
    y = add_noise(x, np.random.default_rng(1), snr_db=20.0, colour=0.0)
    snr = 10 * np.log10(np.mean(x**2) / np.mean((y - x) ** 2))
    assert abs(snr - 20.0) < 1.0


def test_gain_clips_shelf_boosts_and_warp_stretches() -> None:
    x = np.full(100, 20000.0, dtype=np.float32)
    assert apply_gain(x, 6.0).max() == 32767.0
    noise = np.random.default_rng(2).normal(0, 1000, RATE).astype(np.float32)
    boosted = treble_shelf(noise, RATE, 6.0)
    ratio = _band_energy(boosted, 5000, 7000) / _band_energy(noise, 5000, 7000)
    assert 3.0 < ratio < 5.0 and np.array_equal(treble_shelf(noise, RATE, 0.0), noise)
    assert len(warp_speed(noise, 10, 9)) == round(RATE * 10 / 9)
