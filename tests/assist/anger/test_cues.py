from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assist.anger.config import load_anger_config
from assist.anger.cues import (
    CallerBaseline,
    CueValues,
    VoiceWindow,
    cue_evidence,
    hz_to_st,
    st_to_hz,
)
from assist.anger.prosody import Block, ChannelAnalyzer

from .signals import voice

CFG = load_anger_config()


def blocks_of(samples: np.ndarray, rate_hz: int = 16000, start_s: float = 0.0) -> list[Block]:
    analyzer = ChannelAnalyzer(rate_hz)
    start = round(start_s * rate_hz)
    out: list[Block] = []
    for i in range(0, samples.size, rate_hz // 50):
        out += analyzer.feed(samples[i : i + rate_hz // 50], start + i)
    return out + analyzer.flush()


def learn(baseline: CallerBaseline, blocks: list[Block], voice_score: float = 0.0) -> None:
    for block in blocks:
        baseline.offer(block)
        baseline.settle(block.end_s, voice_score)


def new_baseline(**changes: float) -> CallerBaseline:
    return CallerBaseline(dataclasses.replace(CFG.baseline, **changes), CFG.prosody, 0.01)


def test_baseline_learns_the_callers_calm_voice() -> None:
    baseline = new_baseline(min_voiced_s=1.0, learn_voiced_s=5.0)
    assert not baseline.ready and baseline.values().pitch is None
    learn(baseline, blocks_of(voice(120, 6.0)))
    assert baseline.ready
    assert st_to_hz(baseline.values().pitch) == pytest.approx(120, rel=0.03)
    assert baseline.values().loudness == pytest.approx(-26, abs=4)


def test_speech_far_above_the_baseline_is_not_learnt() -> None:
    baseline = new_baseline(min_voiced_s=0.5, learn_voiced_s=20.0, commit_delay_s=0.0)
    learn(baseline, blocks_of(voice(120, 3.0)))
    calm = baseline.values()
    learn(baseline, blocks_of(voice(200, 3.0, level_db=-14), start_s=3.0))  # +9 st, +12 dB
    assert baseline.values().pitch == pytest.approx(calm.pitch, abs=0.3)
    assert baseline.values().loudness == pytest.approx(calm.loudness, abs=1.0)


def test_nothing_is_learnt_while_the_voice_sounds_heated() -> None:
    baseline = new_baseline()
    learn(baseline, blocks_of(voice(120, 3.0)), voice_score=CFG.baseline.accept_below)
    assert baseline.voiced_s == 0.0 and not baseline.ready


def test_speech_is_learnt_only_after_the_commit_delay() -> None:
    baseline = new_baseline(commit_delay_s=1.5)
    blocks = blocks_of(voice(120, 2.0))
    for block in blocks:
        baseline.offer(block)
    baseline.settle(blocks[-1].end_s, 0.0)
    learnt = baseline.voiced_s
    assert 0.0 < learnt
    pending_end = blocks[-1].end_s
    baseline.settle(pending_end + 1.6, 0.0)
    assert baseline.voiced_s > learnt
    # and an outburst right after speech throws that speech away
    other = new_baseline(commit_delay_s=1.5)
    for block in blocks:
        other.offer(block)
    other.settle(pending_end + 0.5, 0.9)
    other.settle(pending_end + 5.0, 0.0)
    assert other.voiced_s == 0.0


def test_a_full_baseline_drifts_slowly() -> None:
    baseline = new_baseline(
        min_voiced_s=0.5, learn_voiced_s=2.0, adapt_half_life_s=10.0, commit_delay_s=0.0
    )
    learn(baseline, blocks_of(voice(120, 5.0)))
    assert baseline.full
    start = baseline.values().pitch
    learn(baseline, blocks_of(voice(127, 40.0), start_s=5.0))  # +1 st: calm, a little higher
    moved = baseline.values().pitch - start
    assert 0.5 < moved < 1.0  # most of the way after ~2 half-lives of voiced speech, not all


def test_window_measures_only_recent_speech() -> None:
    window = VoiceWindow(CFG.prosody, 0.01)
    for block in blocks_of(voice(120, 4.0)) + blocks_of(voice(180, 2.0), start_s=4.0):
        window.add(block)
    now = window.measure(6.0)
    assert st_to_hz(now.pitch) == pytest.approx(180, rel=0.03)
    assert now.voiced_s == pytest.approx(CFG.prosody.window_voiced_s, abs=0.011)
    assert window.measure(6.0 + CFG.prosody.max_age_s + 0.5).voiced_s == 0.0


def cues(**values: float) -> CueValues:
    base = dict(
        pitch=None, pitch_range=None, loudness=None, brightness=None, rate=None, voiced_s=1.0
    )
    base.update(values)
    return CueValues(**base)


def test_relative_evidence_and_its_text() -> None:
    p = CFG.prosody
    base = cues(
        pitch=float(hz_to_st(120)), loudness=-30.0, brightness=-6.0, rate=4.0, pitch_range=4.0
    )
    now = cues(
        pitch=float(hz_to_st(120 * 1.41)),
        loudness=-21.0,
        brightness=-6.0,
        rate=4.0,
        pitch_range=4.0,
    )
    pitch = cue_evidence("pitch", p.pitch, now, base)
    assert pitch is not None and pitch.value == pytest.approx(1.0, abs=0.02)
    assert pitch.text == "pitch +41 % above this caller's baseline"
    loud = cue_evidence("loudness", p.loudness, now, base)
    assert loud is not None and loud.text == "loudness +9 dB above this caller's baseline"
    assert loud.value == pytest.approx(
        (9 - p.loudness.start) / (p.loudness.full - p.loudness.start)
    )
    assert cue_evidence("brightness", p.brightness, now, base) is None
    assert (
        cue_evidence("rate", p.rate, cues(rate=5.2), base).text
        == "speaking rate +30 % above this caller's baseline"
    )


def test_population_default_counts_before_a_baseline_and_loudness_has_none() -> None:
    p = CFG.prosody
    high = cue_evidence("pitch", p.pitch, cues(pitch=float(hz_to_st(330))), None)
    assert high is not None and high.value > 0.5 and high.text == "high pitch (330 Hz)"
    assert cue_evidence("pitch", p.pitch, cues(pitch=float(hz_to_st(200))), None) is None
    assert cue_evidence("loudness", p.loudness, cues(loudness=0.0), None) is None


def test_population_default_can_be_switched_off() -> None:
    p = CFG.prosody
    now = cues(pitch=float(hz_to_st(330)))
    assert cue_evidence("pitch", p.pitch, now, None, use_default=False) is None
