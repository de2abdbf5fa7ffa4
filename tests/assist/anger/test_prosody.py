from __future__ import annotations

import numpy as np
import pytest

from assist.anger.prosody import BLOCK_FRAMES, Block, ChannelAnalyzer
from ivr.audio.resample import resample

from .signals import silence, voice


def analyse(
    samples: np.ndarray, rate_hz: int, chunk_s: float = 0.02, start_sample: int = 0
) -> list[Block]:
    analyzer = ChannelAnalyzer(rate_hz)
    step = round(chunk_s * rate_hz)
    blocks: list[Block] = []
    for i in range(0, samples.size, step):
        blocks += analyzer.feed(samples[i : i + step], start_sample + i)
    return blocks + analyzer.flush()


def joined(blocks: list[Block], name: str) -> np.ndarray:
    return np.concatenate([getattr(b, name) for b in blocks])


def features(blocks: list[Block]) -> dict[str, float]:
    f0 = joined(blocks, "f0_hz")
    voiced = ~np.isnan(f0)
    return {
        "f0": float(np.median(f0[voiced])),
        "loud": float(np.median(joined(blocks, "power_db")[voiced])),
        "bright": float(
            10
            * np.log10(
                joined(blocks, "high_energy")[voiced].sum()
                / joined(blocks, "low_energy")[voiced].sum()
            )
        ),
        "voiced": float(voiced.mean()),
    }


def test_one_block_per_100_ms_on_a_continuous_time_grid() -> None:
    blocks = analyse(voice(140, 3.0), 16000)
    assert 29 <= len(blocks) <= 31
    assert all(b.times_s.size == BLOCK_FRAMES for b in blocks)
    starts = [b.first_index for b in blocks]
    assert starts == list(range(0, BLOCK_FRAMES * len(blocks), BLOCK_FRAMES))
    assert blocks[0].end_s == pytest.approx(0.1)
    np.testing.assert_allclose(np.diff(joined(blocks, "times_s")), 0.01)


@pytest.mark.parametrize("rate_hz", [8000, 16000])
def test_loudness_of_a_tone_in_dbfs(rate_hz: int) -> None:
    t = np.arange(rate_hz * 2) / rate_hz
    amplitude = 0.1 * 32768
    tone = (amplitude * np.sin(2 * np.pi * 200 * t)).astype(np.int16)
    blocks = analyse(tone, rate_hz)
    expected = 20 * np.log10(0.1 / np.sqrt(2))
    assert np.median([b.loudness_db for b in blocks[3:-3]]) == pytest.approx(expected, abs=0.3)


def test_chunking_does_not_change_the_result() -> None:
    x = voice(170, 2.5)
    a, b = analyse(x, 16000, chunk_s=0.02), analyse(x, 16000, chunk_s=0.13)
    assert len(a) == len(b)
    np.testing.assert_array_equal(joined(a, "f0_hz"), joined(b, "f0_hz"))
    np.testing.assert_array_equal(joined(a, "power_db"), joined(b, "power_db"))


def test_16k_and_its_8k_copy_measure_the_same() -> None:
    x16 = voice(130, 4.0)
    x8 = resample(x16, 16000, 8000)
    a, b = features(analyse(x16, 16000)), features(analyse(x8, 8000))
    assert a["f0"] == pytest.approx(130, rel=0.03) and b["f0"] == pytest.approx(a["f0"], rel=0.01)
    assert b["loud"] == pytest.approx(a["loud"], abs=1.0)
    assert b["bright"] == pytest.approx(a["bright"], abs=1.0)
    assert b["voiced"] == pytest.approx(a["voiced"], abs=0.05)


def test_a_brighter_voice_measures_brighter_whatever_its_level() -> None:
    soft = features(analyse(voice(150, 3.0, tilt=1.6, level_db=-20), 16000))
    pressed = features(analyse(voice(150, 3.0, tilt=0.9, level_db=-35), 16000))
    assert pressed["bright"] > soft["bright"] + 4
    assert pressed["loud"] < soft["loud"] - 10


def voiced_cpp_db(blocks: list[Block]) -> float:
    voiced = ~np.isnan(joined(blocks, "f0_hz"))
    return float(np.median(joined(blocks, "cpp_db")[voiced]))


@pytest.mark.parametrize("rate_hz", [8000, 16000])
def test_harmonics_standing_out_measure_as_voice_quality_whatever_the_level(rate_hz: int) -> None:
    lax = voiced_cpp_db(analyse(voice(150, 3.0, rate_hz, breath=0.6, level_db=-18), rate_hz))
    forceful = voiced_cpp_db(analyse(voice(150, 3.0, rate_hz, level_db=-36), rate_hz))
    quieter = voiced_cpp_db(analyse(voice(150, 3.0, rate_hz, breath=0.6, level_db=-36), rate_hz))
    assert forceful > lax + 1.0
    assert abs(quieter - lax) < 0.3


def test_syllable_rate_follows_the_speech() -> None:
    slow = analyse(voice(150, 6.0, syllables_per_s=3.0), 16000)[-1].rate_sps
    fast = analyse(voice(150, 6.0, syllables_per_s=6.0), 16000)[-1].rate_sps
    assert slow is not None and fast is not None
    assert fast / slow == pytest.approx(2.0, rel=0.2)


def test_silence_is_neither_voiced_nor_talking() -> None:
    blocks = analyse(silence(2.0), 16000)
    assert not joined(blocks, "talking").any()
    assert np.isnan(joined(blocks, "f0_hz")).all()
    assert all(b.block_f0_hz is None for b in blocks)


def test_talking_spans_short_unvoiced_gaps() -> None:
    blocks = analyse(
        np.concatenate([silence(1.0), voice(150, 2.0, syllables_per_s=4), silence(1.5)]), 16000
    )
    times, talking = joined(blocks, "times_s"), joined(blocks, "talking")
    assert talking[(times > 1.2) & (times < 2.8)].all()
    assert not talking[times < 0.9].any() and not talking[times > 3.5].any()


def test_a_short_gap_in_the_chunks_keeps_the_time_grid() -> None:
    x = voice(150, 3.0, 8000)
    analyzer = ChannelAnalyzer(8000)
    blocks: list[Block] = []
    for i in range(0, x.size, 160):
        if 8000 <= i < 8800:  # 100 ms of chunks lost
            continue
        blocks += analyzer.feed(x[i : i + 160], i)
    blocks += analyzer.flush()
    assert [b.first_index for b in blocks] == list(range(0, 10 * len(blocks), 10))
    assert len(blocks) == 30


def test_a_stream_starting_late_is_placed_at_its_time() -> None:
    blocks = analyse(voice(150, 1.0), 16000, start_sample=16000 * 5)
    assert blocks[0].first_index == 500
    assert blocks[0].times_s[0] == pytest.approx(5.015)


def test_rates_below_8k_are_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        ChannelAnalyzer(4000)


def test_a_long_hole_restarts_the_grid_at_the_new_time() -> None:
    x = voice(150, 1.0, 8000)
    analyzer = ChannelAnalyzer(8000)
    blocks: list[Block] = []
    for i in range(0, x.size, 160):
        blocks += analyzer.feed(x[i : i + 160], i)
    for i in range(0, x.size, 160):
        blocks += analyzer.feed(x[i : i + 160], 8000 * 60 + i)  # a minute later
    blocks += analyzer.flush()
    starts = [b.first_index for b in blocks]
    assert starts[:10] == list(range(0, 100, 10))
    assert starts[10:] == list(range(6000, 6100, 10))
