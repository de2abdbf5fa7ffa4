"""The anger core's fast paths against the straightforward computations they
replace: the very same floats, on audio and numbers the tests make themselves."""

from __future__ import annotations

import dataclasses
from statistics import median

import numpy as np
import pytest

from assist.anger.pitch import PitchSettings, YinAnalyzer
from assist.anger.prosody import BATCH_FRAMES, Block, ChannelAnalyzer
from assist.anger.smallstats import percentile_sorted

from .signals import silence, voice


@pytest.mark.parametrize("seed", range(5))
def test_small_median_and_percentile_are_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in [1, 2, 3, 4, 5, 9, 10, 11, 40, 99, 100, 257]:
        values = rng.normal(size=n) * 10 ** rng.uniform(-3, 3)
        if n > 3:
            values[: n // 3] = values[0]  # ties
        listed = values.tolist()
        assert median(listed) == np.median(values)
        ordered = sorted(listed)
        assert median(ordered) == np.median(values)
        for q in (0, 10, 25, 50, 90, 99, 100):
            assert percentile_sorted(ordered, q) == np.percentile(values, q)


class _ReferencePicker:
    """The syllable-nucleus picker written plainly, one call per frame."""

    def __init__(self) -> None:
        self.rising, self.peak, self.peak_ok, self.valley = True, -1e9, False, 1e9

    def step(self, v: float, eligible: bool) -> bool:
        if self.rising:
            if v > self.peak:
                self.peak, self.peak_ok = v, eligible
            elif v < self.peak - 2.0:
                self.rising, self.valley = False, v
                return self.peak_ok
        elif v < self.valley:
            self.valley = v
        elif v > self.valley + 2.0:
            self.rising, self.peak, self.peak_ok = True, v, eligible
        return False


@pytest.mark.parametrize("seed", range(4))
def test_nucleus_picker_over_batches_is_the_frame_by_frame_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    levels = np.cumsum(rng.normal(scale=1.5, size=2000)) % 40 - 60
    eligible = rng.random(2000) < 0.7
    ref = _ReferencePicker()
    expected = [ref.step(v, e) for v, e in zip(levels.tolist(), eligible.tolist(), strict=True)]
    analyzer = ChannelAnalyzer(8000)
    got: list[bool] = []
    for i in range(0, levels.size, BATCH_FRAMES):
        part = slice(i, i + BATCH_FRAMES)
        got += analyzer._nuclei(levels[part].tolist(), eligible[part].tolist())
    assert got == expected
    assert 50 < sum(expected) < 1000  # the signal has peaks, and not everywhere


def _blocks(samples: np.ndarray, rate_hz: int) -> list[Block]:
    analyzer = ChannelAnalyzer(rate_hz)
    step = rate_hz // 5
    out: list[Block] = []
    for i in range(0, samples.size, step):
        out += analyzer.feed(samples[i : i + step], i)
    return out + analyzer.flush()


@pytest.mark.parametrize("rate_hz", [8000, 16000])
def test_block_summaries_are_the_plain_numpy_ones(rate_hz: int) -> None:
    speech = np.concatenate(
        [voice(120, 3.0, rate_hz), silence(1.5, rate_hz), voice(210, 4.0, rate_hz, seed=3)]
    )
    blocks = _blocks(speech, rate_hz)
    assert sum(b.block_f0_hz is not None for b in blocks) > 30
    for n, b in enumerate(blocks):
        np.testing.assert_array_equal(b.voiced, ~np.isnan(b.f0_hz))
        assert b.loudness_db == float(10.0 * np.log10(np.mean(10.0 ** (b.power_db / 10.0)) + 1e-12))
        voiced = b.f0_hz[~np.isnan(b.f0_hz)]
        assert b.block_f0_hz == (float(np.median(voiced)) if voiced.size >= 3 else None)
        recent = blocks[max(0, n - 49) : n + 1]  # the rate's 5 s window
        active_s = sum(int(r.active.sum()) for r in recent) * 0.01
        rate = sum(r.nuclei for r in recent) / active_s if active_s >= 1.0 else None
        assert b.rate_sps == rate


@pytest.mark.parametrize("seed", range(3))
def test_the_period_search_skips_only_silent_frames(seed: int) -> None:
    """A batch mixing speech with frames under the silence level (noise at
    about -90 dBFS) gives exactly the F0 of searching every frame, which
    finds the noise unvoiced anyway."""
    rng = np.random.default_rng(seed)
    settings = PitchSettings()
    n_len, hop = settings.frame_length, settings.hop
    speech = voice(120 + 60 * seed, 2.0, 8000, seed=seed)
    frames = np.lib.stride_tricks.sliding_window_view(speech, n_len)[::hop][:60].astype(float)
    quiet = rng.random(frames.shape[0]) < 0.4
    frames[quiet] = rng.normal(0.0, 0.5, (int(quiet.sum()), n_len))
    skipping = YinAnalyzer(settings).analyse(frames)
    searching = YinAnalyzer(dataclasses.replace(settings, silence_db=-400.0)).analyse(frames)
    assert np.isnan(searching.f0_hz[quiet]).all()  # noise: no period found
    assert np.isfinite(searching.f0_hz).sum() > 10  # the speech was voiced
    assert (skipping.aperiodicity[quiet] == 1.0).all()  # not searched
    assert np.array_equal(skipping.f0_hz, searching.f0_hz, equal_nan=True)
    assert np.array_equal(skipping.power_db, searching.power_db)
