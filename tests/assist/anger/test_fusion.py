from __future__ import annotations

import dataclasses
from itertools import pairwise

import numpy as np

from assist.anger.config import load_anger_config
from assist.anger.fusion import LevelTracker, TrendTracker
from ivr.events import AngerLevel, Trend

CFG = load_anger_config()


def levels(scores: list[float], step_s: float = 0.1, **changes: float) -> list[AngerLevel]:
    tracker = LevelTracker(dataclasses.replace(CFG.levels, **changes))
    return [tracker.update(i * step_s, s) for i, s in enumerate(scores)]


def test_levels_enter_at_their_thresholds() -> None:
    lv = CFG.levels
    out = levels([0.0, lv.tense_enter - 0.01, lv.tense_enter, lv.angry_enter])
    assert out == [AngerLevel.CALM, AngerLevel.CALM, AngerLevel.TENSE, AngerLevel.ANGRY]


def test_a_score_wobbling_around_a_threshold_does_not_flap() -> None:
    lv = CFG.levels
    wobble = [lv.angry_enter + (0.03 if i % 3 == 0 else -0.1) for i in range(200)]
    out = levels(wobble)
    changes = sum(a is not b for a, b in pairwise(out))
    assert changes == 0 and out[0] is AngerLevel.ANGRY


def test_levels_step_down_only_after_the_hold() -> None:
    lv = CFG.levels
    hold_steps = round(lv.exit_hold_s / 0.1)
    scores = [0.9] * 5 + [0.0] * (3 * hold_steps)
    out = levels(scores)
    first_tense = out.index(AngerLevel.TENSE)
    first_calm = out.index(AngerLevel.CALM)
    assert first_tense == 5 + hold_steps
    assert first_calm == first_tense + hold_steps
    assert out[-1] is AngerLevel.CALM


def test_a_brief_dip_does_not_end_anger() -> None:
    lv = CFG.levels
    hold_steps = round(lv.exit_hold_s / 0.1)
    scores = [0.9] * 5 + [0.0] * (hold_steps - 2) + [0.9] * 5 + [0.0] * (hold_steps - 2)
    assert set(levels(scores)) == {AngerLevel.ANGRY}


def trends(scores: np.ndarray, step_s: float = 0.1) -> list[Trend]:
    tracker = TrendTracker(CFG.trend)
    return [tracker.update(i * step_s, float(s)) for i, s in enumerate(scores)]


def test_trend_shows_rising_before_the_peak_and_falling_after() -> None:
    t = np.arange(0, 20, 0.1)
    scores = np.clip(np.where(t < 10, (t - 2) * 0.1, 0.8 - (t - 10) * 0.1), 0, 1)  # peak at 10 s
    out = trends(scores)
    peak = int(np.argmax(scores))
    first_rising = out.index(Trend.RISING)
    assert t[first_rising] < 5.0  # well before the peak
    assert out[peak - 5] is Trend.RISING
    assert Trend.FALLING in out[peak:]
    assert out[0] is Trend.STEADY


def test_a_flat_noisy_score_is_steady() -> None:
    rng = np.random.default_rng(0)
    out = trends(0.3 + 0.01 * rng.standard_normal(300))
    assert set(out) == {Trend.STEADY}


def test_trend_changes_no_faster_than_its_hold() -> None:
    t = np.arange(0, 30, 0.1)
    out = trends(0.5 + 0.4 * np.sin(2 * np.pi * t / 1.0))  # far faster than the hold
    change_times = [t[i] for i in range(1, len(out)) if out[i] is not out[i - 1]]
    assert all(b - a >= CFG.trend.hold_s - 1e-9 for a, b in pairwise(change_times))
