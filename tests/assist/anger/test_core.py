from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assist.anger import AngerCore, lexicon_vocabulary, load_anger_config
from ivr.events import (
    AngerLevel,
    AngerUpdate,
    AudioChunk,
    ChannelRole,
    Event,
    ProsodyFrame,
    TranscriptFinal,
    TranscriptPartial,
    Trend,
    Word,
)

from .signals import chunks, interleave, silence, voice

CUSTOMER, AGENT = ChannelRole.CUSTOMER, ChannelRole.AGENT
ORDER = [AngerLevel.CALM, AngerLevel.TENSE, AngerLevel.ANGRY]


def run(
    core: AngerCore, feed: list[AudioChunk | TranscriptPartial | TranscriptFinal]
) -> list[Event]:
    out: list[Event] = []
    for item in feed:
        out += core.feed_audio(item) if isinstance(item, AudioChunk) else core.feed_transcript(item)
    return out + core.flush()


def updates(events: list[Event]) -> list[AngerUpdate]:
    return [e for e in events if isinstance(e, AngerUpdate)]


def peak_level(events: list[Event]) -> AngerLevel:
    return max((u.level for u in updates(events)), key=ORDER.index, default=AngerLevel.CALM)


def customer_call(*parts: np.ndarray, rate_hz: int = 16000) -> list[AudioChunk]:
    return chunks(np.concatenate(parts), rate_hz)


CALM = dict(f0_hz=115.0, level_db=-30.0, tilt=1.5, syllables_per_s=4.0)
HEATED = dict(f0_hz=175.0, level_db=-18.0, tilt=0.9, syllables_per_s=5.0)


def test_same_input_gives_the_same_events() -> None:
    feed = customer_call(voice(seconds=6, **CALM), voice(seconds=4, **HEATED))
    a = run(AngerCore("call-1", "en"), feed)
    b = run(AngerCore("call-1", "en"), feed)
    assert a == b and updates(a)


def test_prosody_frames_every_100_ms_per_channel() -> None:
    cust = chunks(voice(seconds=3, rate_hz=8000, **CALM), 8000)
    agent = chunks(voice(220, 3, 8000), 8000, AGENT)
    events = run(AngerCore("call-1", "ru"), interleave(cust, agent))
    frames = [e for e in events if isinstance(e, ProsodyFrame)]
    for role in (CUSTOMER, AGENT):
        times = [f.at_s for f in frames if f.role is role]
        assert len(times) == 30 and times == sorted(times)
        np.testing.assert_allclose(np.diff(times), 0.1, atol=1e-6)
    voiced = [f for f in frames if f.role is CUSTOMER and f.voiced]
    assert voiced and all(f.f0_hz == pytest.approx(115, rel=0.05) for f in voiced)
    assert all(f.call_id == "call-1" for f in frames)


def test_a_calm_caller_stays_calm() -> None:
    parts = [voice(seconds=4, seed=i, **{**CALM, "f0_hz": 115 + 6 * (i % 3)}) for i in range(6)]
    events = run(
        AngerCore("call-1", "en"), customer_call(*[p for x in parts for p in (x, silence(1.0))])
    )
    assert peak_level(events) is AngerLevel.CALM


def test_a_heated_voice_against_its_calm_start_becomes_angry_with_reasons() -> None:
    core = AngerCore("call-1", "en")
    events = run(
        core, customer_call(voice(seconds=8, **CALM), silence(1.0), voice(seconds=5, **HEATED))
    )
    assert core.baseline_ready
    assert peak_level(events) is AngerLevel.ANGRY
    angry = [u for u in updates(events) if u.level is AngerLevel.ANGRY]
    assert angry[0].at_s < 9.0 + 3.0
    texts = " | ".join(r.text for u in angry for r in u.reasons)
    assert "pitch +" in texts and "above this caller's calm voice" in texts
    assert all(abs(sum(r.weight for r in u.reasons) - u.score) < 0.02 for u in angry)


def test_rising_trend_comes_before_angry() -> None:
    events = run(
        AngerCore("call-1", "en"),
        customer_call(voice(seconds=8, **CALM), voice(seconds=5, **HEATED)),
    )
    ups = updates(events)
    first_rising = next(u.at_s for u in ups if u.trend is Trend.RISING)
    first_angry = next(u.at_s for u in ups if u.level is AngerLevel.ANGRY)
    assert first_rising <= first_angry  # never angry while the trend still reads steady


def test_gain_control_does_not_hide_pitch_and_sharpness() -> None:
    agc_heated = {**HEATED, "level_db": CALM["level_db"]}
    events = run(
        AngerCore("call-1", "en"),
        customer_call(voice(seconds=8, **CALM), voice(seconds=5, **agc_heated)),
    )
    assert ORDER.index(peak_level(events)) >= ORDER.index(AngerLevel.TENSE)
    assert not any(r.kind == "loudness" for u in updates(events) for r in u.reasons)


def test_a_lively_calm_caller_is_judged_against_their_own_spread() -> None:
    """Phrases alternating between a softer and a sharper calm voice for a
    minute: the caller's calm phrase-to-phrase spread is learnt, so the call
    stays calm; judged with fixed ramps alone the same call turns tense."""
    parts = []
    for i in range(16):
        lively = {**CALM, "tilt": 1.1 if i % 2 else 1.5, "f0_hz": 115 + (10 if i % 3 == 0 else 0)}
        parts += [voice(seconds=3, seed=i, **lively), silence(0.8)]
    feed = customer_call(*parts)
    shipped = load_anger_config()
    fixed = dataclasses.replace(
        shipped, baseline=dataclasses.replace(shipped.baseline, spread_k=0.0)
    )
    assert peak_level(run(AngerCore("call-1", "en", config=shipped), feed)) is AngerLevel.CALM
    assert peak_level(run(AngerCore("call-1", "en", config=fixed), feed)) is not AngerLevel.CALM


def test_loudness_alone_does_not_make_a_caller_angry() -> None:
    louder = {**CALM, "level_db": CALM["level_db"] + 15}
    events = run(
        AngerCore("call-1", "en"),
        customer_call(voice(seconds=8, **CALM), voice(seconds=6, **louder)),
    )
    assert peak_level(events) is not AngerLevel.ANGRY
    assert any(r.kind == "loudness" for u in updates(events) for r in u.reasons)


def test_a_more_forceful_voice_is_a_reason_whatever_the_level() -> None:
    lax = {**CALM, "breath": 0.6}
    forceful = {**CALM, "level_db": CALM["level_db"] - 6}  # quieter: a gain control's doing
    events = run(
        AngerCore("call-1", "en"),
        customer_call(voice(seconds=8, **lax), silence(1.0), voice(seconds=5, **forceful)),
    )
    reasons = [r for u in updates(events) for r in u.reasons if r.kind == "voice_quality"]
    assert reasons and "harmonics stand out +" in reasons[-1].text
    assert not any(r.kind == "loudness" for u in updates(events) for r in u.reasons)


def test_angry_words_raise_the_level_with_keyword_reasons() -> None:
    core = AngerCore("call-1", "ru")
    words = tuple(
        Word(w, 1 + i * 0.4, 1.4 + i * 0.4, 0.95)
        for i, w in enumerate("это безобразие дайте руководителя".split())
    )
    out = core.feed_transcript(
        TranscriptFinal("call-1", CUSTOMER, "это безобразие дайте руководителя", words, 2.6)
    )
    (update,) = updates(out)
    assert update.level is not AngerLevel.CALM and update.at_s == pytest.approx(2.6)
    assert {r.text for r in update.reasons} == {
        "слово «безобразие» (оскорбление)",
        "фраза «дайте руководителя» (требует руководителя)",
    }


def test_a_new_keyword_is_sent_at_once_even_when_the_score_cannot_move() -> None:
    """The keyword share is capped, so a further keyword leaves the score as
    it was; the meter must still show it now, not at the next heartbeat."""
    core = AngerCore("call-1", "en")

    def said(text: str, start_s: float, final: bool) -> list[Event]:
        words = tuple(
            Word(w, start_s + i * 0.3, start_s + 0.3 + i * 0.3, 0.95)
            for i, w in enumerate(text.split())
        )
        event = (TranscriptFinal if final else TranscriptPartial)(
            "call-1", CUSTOMER, text, words, words[-1].end_s
        )
        return core.feed_transcript(event)

    (first,) = updates(said("outrageous you idiot this is a disgrace", 1.0, final=True))
    assert first.score == pytest.approx(core.config.keywords.cap)
    (update,) = updates(said("i will complain", first.at_s + 0.1, final=False))
    assert update.score == first.score and update.level is first.level
    assert "keyword 'complain' (threat)" in {r.text for r in update.reasons}
    assert updates(said("i will complain", first.at_s + 0.2, final=False)) == []  # not news


def test_every_keyword_is_told_once_even_beyond_the_reasons_shown() -> None:
    """Only the strongest reasons are shown, but a weak keyword ("third time"
    after five insults) must reach the advisor at least once."""
    core = AngerCore("call-1", "en")
    text = "you idiot you moron you jerk you clown this is a disgrace outrageous third time"
    words = tuple(Word(w, 1.0 + i * 0.3, 1.3 + i * 0.3, 0.95) for i, w in enumerate(text.split()))
    (update,) = updates(
        core.feed_transcript(TranscriptFinal("call-1", CUSTOMER, text, words, words[-1].end_s))
    )
    told = {r.words for r in update.reasons if r.kind.startswith("keyword")}
    assert len(update.reasons) > core.config.updates.max_reasons
    assert {"idiot", "moron", "jerk", "clown", "disgrace", "outrageous", "third time"} <= told
    core.feed_transcript(TranscriptPartial("call-1", CUSTOMER, "well", (), 6.0))
    assert core.current is not None and core.current.at_s == pytest.approx(6.0)
    assert len(core.current.reasons) == core.config.updates.max_reasons  # told: not again


@pytest.mark.parametrize(
    ("vocabulary_words", "counts"), [(None, False), (330, False), (150_000, True)]
)
def test_a_first_plain_partial_keyword_counts_with_an_open_vocabulary_only(
    vocabulary_words: int | None, counts: bool
) -> None:
    core = AngerCore("call-1", "en")
    core.hear_recogniser(vocabulary_words)
    events = core.feed_transcript(
        TranscriptPartial("call-1", CUSTOMER, "this is ridiculous", (), 1.0)
    )
    kinds = {r.kind for u in updates(events) for r in u.reasons}
    assert ("keyword:exasperation" in kinds) is counts


def test_agent_words_are_ignored_here() -> None:
    core = AngerCore("call-1", "en")
    assert core.feed_transcript(TranscriptFinal("call-1", AGENT, "you idiot", (), 1.0)) == []
    assert core.current is None


def test_talking_over_the_agent_is_a_reason() -> None:
    rate = 8000
    agent = np.concatenate([voice(220, 9.0, rate, seed=3), silence(3.0, rate)])
    customer = np.concatenate([silence(4.0, rate), voice(seconds=8.0, rate_hz=rate, **CALM)])
    feed = interleave(chunks(customer, rate), chunks(agent, rate, AGENT))
    events = run(AngerCore("call-1", "en"), feed)
    texts = [r.text for u in updates(events) for r in u.reasons if r.kind == "talk_over"]
    assert "talking over the agent for 4 s" in texts


def test_chunks_of_another_call_or_rate_are_refused() -> None:
    core = AngerCore("call-1", "en")
    core.feed_audio(AudioChunk("call-1", CUSTOMER, 16000, bytes(640)))
    with pytest.raises(ValueError, match="call"):
        core.feed_audio(AudioChunk("call-2", CUSTOMER, 16000, bytes(640)))
    with pytest.raises(ValueError, match="sample rate"):
        core.feed_audio(AudioChunk("call-1", CUSTOMER, 8000, bytes(320), 320))


def test_updates_are_rate_limited_but_regular() -> None:
    events = run(AngerCore("call-1", "en"), customer_call(voice(seconds=30, **CALM)))
    times = [u.at_s for u in updates(events)]
    assert len(times) < 30
    assert max(np.diff(times)) <= 5.0 + 0.5


def test_lexicon_vocabulary_is_exported() -> None:
    assert "безобразие" in lexicon_vocabulary("ru")


# ---------------------------------------------------------------- fixture calls


def fixture_feed(
    call_id: str, variant: str
) -> tuple[dict, list[AudioChunk | TranscriptPartial | TranscriptFinal]]:
    """The fixture call's audio plus the results a streaming recogniser would
    give for its labelled customer turns (partials every 0.5 s, final at the end)."""
    from audio_fixtures import ensure_fixtures, load_labels
    from ivr.sources.wav import WavSource

    directory = ensure_fixtures()
    labels = load_labels(call_id, directory)
    said: list[TranscriptPartial | TranscriptFinal] = []
    for turn in labels["turns"]:
        if turn["role"] != "customer":
            continue
        texts, start, end = turn["text"].split(), turn["start_s"], turn["end_s"]
        share = (end - start) / sum(len(w) + 1 for w in texts)
        words, t = [], start
        for w in texts:
            words.append(Word(w, t, t + share * (len(w) + 1), 1.0))
            t += share * (len(w) + 1)
        for at in np.arange(start + 0.5, end, 0.5):
            done = tuple(x for x in words if x.end_s <= at)
            said.append(
                TranscriptPartial(
                    call_id, CUSTOMER, " ".join(x.word for x in done), done, float(at)
                )
            )
        said.append(TranscriptFinal(call_id, CUSTOMER, turn["text"], tuple(words), end))
    feed: list[AudioChunk | TranscriptPartial | TranscriptFinal] = []
    for chunk in WavSource(directory / f"{call_id}.{variant}.wav", call_id=call_id):
        while said and said[0].at_s <= chunk.start_s:
            feed.append(said.pop(0))
        feed.append(chunk)
    return labels, feed + said


@pytest.mark.parametrize(
    ("call_id", "variant"),
    [
        ("ru_calm", "16k"),
        ("ru_escalating", "8k.agc"),
        ("ru_angry", "8k.stereo"),
        ("en_calm", "8k.stereo"),
        ("en_escalating", "16k"),
        ("en_angry", "8k.agc"),
    ],
)
def test_fixture_calls_meet_the_quality_bars(call_id: str, variant: str) -> None:
    from audio_fixtures import angry_window_s

    labels, feed = fixture_feed(call_id, variant)
    events = run(AngerCore(call_id, labels["language"]), feed)
    if labels["kind"] == "calm":
        assert peak_level(events) is AngerLevel.CALM
        return
    earliest_s, latest_s = angry_window_s(labels)
    first_angry = next(u.at_s for u in updates(events) if u.level is AngerLevel.ANGRY)
    assert earliest_s <= first_angry <= latest_s


def test_a_caller_with_a_high_calm_voice_carries_no_pitch_share_once_known() -> None:
    high_calm = {**CALM, "f0_hz": 280.0}
    core = AngerCore("call-1", "en")
    events = run(core, customer_call(*[voice(seconds=4, seed=i, **high_calm) for i in range(8)]))
    assert peak_level(events) is AngerLevel.CALM
    assert core.current is not None
    assert not any(r.kind == "pitch" for r in core.current.reasons)
