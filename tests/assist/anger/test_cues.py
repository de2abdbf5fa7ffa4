from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assist.anger import cues as cue_module
from assist.anger.baseline import CallerBaseline
from assist.anger.config import CueConfig, load_anger_config
from assist.anger.cues import (
    NO_CUES,
    CueValues,
    Evidence,
    VoiceWindow,
    cue_excess,
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


def new_baseline(prior_voiced_s: float | None = None, **changes: float) -> CallerBaseline:
    """A baseline with changed settings; ``prior_voiced_s`` for every cue."""
    prosody = CFG.prosody
    if prior_voiced_s is not None:
        prosody = dataclasses.replace(
            prosody,
            **{
                name: dataclasses.replace(getattr(prosody, name), prior_voiced_s=prior_voiced_s)
                for name in ("pitch", "pitch_range", "loudness", "brightness", "rate")
            },
        )
    return CallerBaseline(dataclasses.replace(CFG.baseline, **changes), prosody, 0.01)


def test_baseline_learns_the_callers_calm_voice() -> None:
    baseline = new_baseline(prior_voiced_s=1.0, learn_voiced_s=5.0)
    assert not baseline.ready and baseline.prior_share("pitch") == 1.0
    assert baseline.values().pitch == pytest.approx(hz_to_st(CFG.prosody.pitch.prior))
    assert baseline.values().loudness is None  # no prior for a line's level
    learn(baseline, blocks_of(voice(120, 6.0)))
    share = baseline.prior_share("pitch")
    assert baseline.ready and share < 0.3
    expected_st = share * hz_to_st(CFG.prosody.pitch.prior) + (1 - share) * hz_to_st(120)
    assert baseline.values().pitch == pytest.approx(expected_st, abs=0.25)
    assert baseline.values().loudness == pytest.approx(-26, abs=4)


def test_the_baseline_shrinks_towards_the_prior_in_proportion_to_the_evidence() -> None:
    prior_st = float(hz_to_st(CFG.prosody.pitch.prior))
    own_st = float(hz_to_st(120))
    shares = []
    for seconds in (0.6, 2.0, 6.0):
        baseline = new_baseline(prior_voiced_s=1.0, learn_voiced_s=20.0, commit_delay_s=0.0)
        learn(baseline, blocks_of(voice(120, seconds)))
        share = baseline.prior_share("pitch")
        assert share == pytest.approx(1.0 / (1.0 + baseline.voiced_s))
        assert baseline.values().pitch == pytest.approx(
            share * prior_st + (1 - share) * own_st, abs=0.25
        )
        shares.append(share)
    assert shares[0] > shares[1] > shares[2]  # more speech, less prior
    assert shares[1] < 0.5  # usable after about a second of voiced speech


def test_a_calm_phrase_is_learnt_when_it_ends_not_only_after_the_delay() -> None:
    baseline = new_baseline(commit_delay_s=5.0)
    blocks = blocks_of(np.concatenate([voice(120, 1.5), np.zeros(8000)]))
    for block in blocks:
        baseline.offer(block)
        baseline.settle(block.end_s, 0.0)
    assert baseline.voiced_s > 0.8  # the pause ended the phrase: learnt at once


def test_speech_far_above_the_baseline_is_not_learnt() -> None:
    baseline = new_baseline(learn_voiced_s=20.0, commit_delay_s=0.0)
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
        learn_voiced_s=2.0, adapt_half_life_s=10.0, commit_delay_s=0.0, prior_voiced_s=0.0
    )
    learn(baseline, blocks_of(voice(120, 5.0)))
    assert baseline.full
    start = baseline.values().pitch
    learn(baseline, blocks_of(voice(127, 40.0), start_s=5.0))  # +1 st: calm, a little higher
    moved = baseline.values().pitch - start
    assert 0.5 < moved < 1.0  # most of the way after ~2 half-lives of voiced speech, not all


def test_window_measures_the_current_phrase_at_most_its_last_seconds() -> None:
    window = VoiceWindow(CFG.prosody, 0.01)
    long_s = CFG.prosody.window_voiced_s + 2.0
    for block in blocks_of(voice(120, long_s)):
        window.add(block)
    now = window.measure(long_s)
    assert now.voiced_s == pytest.approx(CFG.prosody.window_voiced_s, abs=0.011)
    assert window.measure(long_s + CFG.prosody.max_age_s + 0.5).voiced_s == 0.0


def test_a_short_outburst_after_a_pause_is_measured_on_itself() -> None:
    window = VoiceWindow(CFG.prosody, 0.01)
    calm = np.concatenate([voice(120, 3.0), np.zeros(6400)])  # 3 s, then a 0.4 s pause
    for block in blocks_of(np.concatenate([calm, voice(180, 0.8)])):
        window.add(block)
        if 1.0 < block.end_s < 3.2:
            assert st_to_hz(window.measure(block.end_s).pitch) == pytest.approx(120, rel=0.03)
    now = window.measure(4.2)
    assert st_to_hz(now.pitch) == pytest.approx(180, rel=0.03)  # none of the calm phrase
    assert now.voiced_s < 0.85


def cue_evidence(
    name: str, cfg: CueConfig, now: CueValues, base: CueValues, prior_share: float
) -> Evidence | None:
    found = cue_excess(name, cfg, now, base, prior_share)
    return cue_module.cue_evidence(cfg, found, relative=prior_share < 0.5)


def cues(**values: float) -> CueValues:
    return dataclasses.replace(NO_CUES, **{"voiced_s": 1.0, **values})


def test_relative_evidence() -> None:
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
    pitch = cue_evidence("pitch", p.pitch, now, base, prior_share=0.0)
    assert pitch is not None and pitch.relative and pitch.delta == pytest.approx(5.95, abs=0.02)
    assert pitch.value == pytest.approx(
        min(1.0, (5.95 - p.pitch.start) / (p.pitch.full - p.pitch.start)), abs=0.01
    )
    loud = cue_evidence("loudness", p.loudness, now, base, prior_share=0.0)
    assert loud is not None and loud.delta == pytest.approx(9.0)
    assert loud.value == pytest.approx(
        min(1.0, (9 - p.loudness.start) / (p.loudness.full - p.loudness.start))
    )
    assert cue_evidence("brightness", p.brightness, now, base, prior_share=0.0) is None
    rate = cue_evidence("rate", p.rate, cues(rate=5.6), base, prior_share=0.0)
    assert rate is not None and rate.delta == pytest.approx(0.4)


def test_against_the_prior_the_ramp_starts_higher() -> None:
    """A high calm voice is not heated before the caller is known; an extreme one is."""
    p = CFG.prosody
    prior = cues(pitch=float(hz_to_st(p.pitch.prior)))
    high = cues(pitch=float(hz_to_st(p.pitch.prior * 2 ** ((p.pitch.start + 1) / 12))))
    assert cue_evidence("pitch", p.pitch, high, prior, prior_share=0.0) is not None
    assert cue_evidence("pitch", p.pitch, high, prior, prior_share=1.0) is None
    extreme = cues(
        pitch=float(hz_to_st(p.pitch.prior * 2 ** ((p.pitch.full + p.pitch.prior_margin) / 12)))
    )
    found = cue_evidence("pitch", p.pitch, extreme, prior, prior_share=1.0)
    assert found is not None and found.value == pytest.approx(1.0) and not found.relative
