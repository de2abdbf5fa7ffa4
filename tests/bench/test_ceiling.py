"""The ceiling bench's cue extraction and held-out classifier, on signals and
numbers the test makes itself (the dev sets are never needed here)."""

import numpy as np
import pytest

from bench._ceiling import CUE_NAMES, clip_cues, held_out_flags
from bench._fusion_fit import uar

RATE_HZ = 8000


def vowel(f0_hz: float, level: float, seconds: float = 1.2, seed: int = 0) -> np.ndarray:
    """A harmonic voice with a falling spectrum, a little noise, int16 scale."""
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    x = sum(np.sin(2 * np.pi * k * f0_hz * t) / k for k in range(1, 15) if k * f0_hz < 3800)
    x = x + 0.01 * np.random.default_rng(seed).standard_normal(t.size)
    return level * x / np.abs(x).max()


def test_pitch_and_level_changes_are_measured_in_semitones_and_db():
    calm = clip_cues(vowel(150.0, 3000.0), RATE_HZ)
    raised = clip_cues(vowel(150.0 * 2 ** (4 / 12), 6000.0), RATE_HZ)
    delta = dict(zip(CUE_NAMES, raised - calm, strict=True))
    assert delta["pitch"] == pytest.approx(4.0, abs=0.3)
    assert delta["level"] == pytest.approx(20 * np.log10(2), abs=1.0)
    assert np.isfinite(raised).all()


def test_a_cue_that_separates_every_group_is_found_with_the_group_held_out():
    rng = np.random.default_rng(1)
    n = 400
    angry = rng.random(n) < 0.5
    group = np.repeat(np.array(["a", "b", "c", "d"]), n // 4)
    signal_cue = angry * 3.0 + rng.standard_normal(n) * 0.5
    x = np.c_[signal_cue, rng.standard_normal((n, 3))]
    assert uar(angry, held_out_flags(x, angry, group)) > 0.95
    noise_only = held_out_flags(x[:, 1:], angry, group)
    assert 0.35 < uar(angry, noise_only) < 0.65


def test_a_cue_that_flips_between_groups_does_not_generalise():
    rng = np.random.default_rng(2)
    n = 400
    angry = rng.random(n) < 0.5
    group = np.repeat(np.array(["a", "b", "c", "d"]), n // 4)
    sign = np.where(np.isin(group, ["a", "b"]), 1.0, -1.0)
    x = (sign * angry * 3.0 + rng.standard_normal(n) * 0.5)[:, None]
    assert uar(angry, held_out_flags(x, angry, group)) < 0.6
