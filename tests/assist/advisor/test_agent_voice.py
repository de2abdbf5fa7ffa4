"""The agent's own voice from synthetic prosody frames: talk-over and rising voice."""

import pytest

from assist.advisor.agent_voice import AgentVoiceWatch
from assist.advisor.settings import load_advisor_settings
from ivr import events as ev

HOP_S = 0.1
CUSTOMER, AGENT = ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT


def frame(role, at_s, voiced, loudness_db=-25.0, f0_hz=120.0):
    return ev.ProsodyFrame(
        "c", role, round(at_s, 4), loudness_db, f0_hz if voiced else None, voiced
    )


def track(role, end_s, voiced_spans, **voice):
    """One channel's frames every 100 ms up to end_s, voiced inside the spans."""
    out = []
    for k in range(1, round(end_s / HOP_S) + 1):
        at_s = k * HOP_S
        voiced = any(a < at_s <= b for a, b in voiced_spans)
        out.append(frame(role, at_s, voiced, **voice))
    return out


def interleave(*tracks):
    return sorted((f for t in tracks for f in t), key=lambda f: (f.at_s, f.role != CUSTOMER))


def feed(watch, frames):
    return [a for f in frames for a in watch.feed(f)]


def watch():
    return AgentVoiceWatch(load_advisor_settings().agent_voice)


def test_agent_cutting_in_and_talking_on_is_flagged_after_about_one_and_a_half_seconds():
    alerts = feed(watch(), interleave(track(CUSTOMER, 8, [(0, 6)]), track(AGENT, 8, [(2, 5)])))
    assert [a.what for a in alerts] == ["agent_talk_over"]
    assert alerts[0].at_s == pytest.approx(2.0 + 1.5, abs=0.15)


def test_customer_barging_in_on_the_agent_is_not_the_agents_talk_over():
    assert feed(watch(), interleave(track(CUSTOMER, 8, [(2, 5)]), track(AGENT, 8, [(0, 6)]))) == []


def test_a_short_overlap_is_back_channel():
    assert feed(watch(), interleave(track(CUSTOMER, 8, [(0, 6)]), track(AGENT, 8, [(2, 3)]))) == []


def test_voicing_flicker_between_syllables_does_not_break_the_overlap():
    # The agent's voicing drops for 200 ms every 600 ms: still one stretch of talk.
    agent_spans = [(2 + 0.6 * i, 2.4 + 0.6 * i) for i in range(5)]
    alerts = feed(watch(), interleave(track(CUSTOMER, 8, [(0, 6)]), track(AGENT, 8, agent_spans)))
    assert [a.what for a in alerts] == ["agent_talk_over"]


def test_channels_arriving_out_of_step_give_the_same_answer():
    customer, agent = track(CUSTOMER, 8, [(0, 6)]), track(AGENT, 8, [(2, 5)])
    together = feed(watch(), interleave(customer, agent))
    apart = feed(watch(), customer + agent)  # the whole customer channel first
    assert apart == together and len(apart) == 1


def test_talk_over_is_not_repeated_within_its_interval():
    customer = track(CUSTOMER, 40, [(0, 6), (10, 16), (30, 36)])
    agent = track(AGENT, 40, [(2, 5), (12, 15), (32, 35)])
    alerts = feed(watch(), interleave(customer, agent))
    # the second cut-in (12 s) comes within 20 s of the first; the third does not
    assert [int(a.at_s) for a in alerts] == [3, 33]


def test_an_agent_only_stream_never_reports_talk_over():
    assert feed(watch(), track(AGENT, 30, [(0, 30)])) == []


def calm_then(loudness_db, f0_hz, start_s=12.0, end_s=15.0):
    calm = track(AGENT, start_s, [(0, start_s)])
    raised = [
        frame(AGENT, start_s + k * HOP_S, True, loudness_db, f0_hz)
        for k in range(1, round((end_s - start_s) / HOP_S) + 1)
    ]
    return calm + raised


def test_a_louder_agent_voice_is_flagged_against_their_own_calm_start():
    w = watch()
    alerts = feed(w, calm_then(-17.0, 120.0))
    assert w.baseline is not None and w.baseline[0] == pytest.approx(-25.0)
    assert [a.what for a in alerts] == ["agent_voice"]
    assert 12.0 < alerts[0].at_s < 13.5 and "+8 dB" in alerts[0].detail


def test_a_higher_agent_voice_is_flagged():
    alerts = feed(watch(), calm_then(-25.0, 150.0))  # +3.9 semitones
    assert [a.what for a in alerts] == ["agent_voice"]


def test_a_small_change_is_not_flagged():
    assert feed(watch(), calm_then(-22.0, 130.0)) == []  # +3 dB, +1.4 semitones


def test_nothing_before_the_baseline_is_learnt():
    # loud from 5 s on: fewer than 10 s of the agent's voice were heard in
    # all, so there is no baseline yet to compare with
    frames = calm_then(-10.0, 120.0, start_s=5.0, end_s=9.0)
    assert feed(watch(), frames) == []


def test_rising_again_needs_the_voice_to_come_back_and_time_to_pass():
    frames = calm_then(-15.0, 120.0, start_s=12.0, end_s=14.0)
    frames += [frame(AGENT, 14.0 + k * HOP_S, True) for k in range(1, 31)]  # calm again to 17 s
    frames += [frame(AGENT, 17.0 + k * HOP_S, True, -15.0) for k in range(1, 21)]  # loud, too soon
    frames += [frame(AGENT, 19.0 + k * HOP_S, True) for k in range(1, 251)]  # calm to 44 s
    frames += [frame(AGENT, 44.0 + k * HOP_S, True, -15.0) for k in range(1, 21)]  # loud again
    alerts = feed(watch(), frames)
    assert [round(a.at_s) for a in alerts] == [13, 45]


def test_staying_loud_is_flagged_once():
    alerts = feed(watch(), calm_then(-15.0, 120.0, start_s=12.0, end_s=60.0))
    assert len(alerts) == 1
