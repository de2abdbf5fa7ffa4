from __future__ import annotations

import dataclasses

import pytest

from assist.anger.config import load_anger_config
from assist.anger.keywords import KeywordTracker
from assist.anger.lexicon import load_lexicon
from ivr.events import ChannelRole, TranscriptFinal, TranscriptPartial, Word

CUSTOMER = ChannelRole.CUSTOMER


def words(
    text: str, start_s: float = 0.0, conf: float = 1.0, step_s: float = 0.4
) -> tuple[Word, ...]:
    return tuple(
        Word(w, start_s + i * step_s, start_s + (i + 1) * step_s, conf)
        for i, w in enumerate(text.split())
    )


def partial(text: str, at_s: float, **kw: float) -> TranscriptPartial:
    return TranscriptPartial("c", CUSTOMER, text, words(text, **kw), at_s)


def final(text: str, at_s: float, **kw: float) -> TranscriptFinal:
    return TranscriptFinal("c", CUSTOMER, text, words(text, **kw), at_s)


# The tests of weights, repeats and fading trust every hit fully; the trust in
# the recogniser has tests of its own below.
TRUST_ALL = {"understanding_start": 0.0, "understanding_full": 0.01}


def tracker(lang: str = "ru", **changes: float) -> KeywordTracker:
    cfg = load_anger_config().keywords
    return KeywordTracker(load_lexicon(lang), dataclasses.replace(cfg, **{**TRUST_ALL, **changes}))


def trusting(lang: str = "ru") -> KeywordTracker:
    """A tracker with the shipped trust settings."""
    return KeywordTracker(load_lexicon(lang), load_anger_config().keywords)


def test_a_keyword_among_unknown_words_counts_nothing() -> None:
    t = trusting()
    t.feed(final("[unk] [unk] безобразие [unk] [unk] [unk]", 2.0))
    assert total(t, 2.0) == 0.0


def test_a_keyword_among_understood_words_counts_fully() -> None:
    text = "скажите пожалуйста это просто безобразие с моим тарифом"
    t, full = trusting(), tracker()
    t.feed(final(text, 2.0))
    full.feed(final(text, 2.0))
    assert total(t, 2.0) == pytest.approx(total(full, 2.0)) and total(t, 2.0) > 0


def test_unsure_words_around_a_keyword_lower_its_weight() -> None:
    t = trusting()
    event = TranscriptFinal(
        "c", CUSTOMER, "это просто безобразие я жду уже",
        tuple(Word(w, i * 0.4, i * 0.4 + 0.4, 1.0 if w == "безобразие" else 0.3)
              for i, w in enumerate("это просто безобразие я жду уже".split())),
        2.4,
    )  # fmt: skip
    t.feed(event)
    assert 0.0 <= total(t, 2.4) < 0.5 * load_lexicon("ru").category("insult").weight


def test_keywords_in_a_stretch_not_understood_stay_below_tense() -> None:
    t = trusting("en")
    for k in range(6):
        t.feed(final(f"[unk] manager [unk] nonsense [unk] ridiculous [unk] k{k}", 2.0 + 3 * k,
                     start_s=3 * k))  # fmt: skip
    cfg = load_anger_config()
    assert total(t, 20.0) <= cfg.keywords.uncertain_cap + 1e-9 < cfg.levels.tense_enter


def test_a_well_understood_call_lends_its_trust_to_a_lone_keyword() -> None:
    t = trusting()
    t.feed(final("здравствуйте скажите пожалуйста какой у меня тариф", 3.0))
    t.feed(partial("безобразие", 4.0, start_s=3.5))
    assert total(t, 4.0) == pytest.approx(load_lexicon("ru").category("insult").weight)
    # With nothing understood yet, a lone word in a plain partial (no word
    # confidences) waits for the final of its utterance to vouch for it.
    alone = trusting()
    alone.feed(TranscriptPartial("c", CUSTOMER, "безобразие", (), 4.0))
    assert total(alone, 4.0) == 0.0
    alone.feed(final("это безобразие скажите пожалуйста что с тарифом", 5.0, start_s=3.5))
    assert total(alone, 5.0) == pytest.approx(total(t, 4.0))


def test_a_plain_partial_does_not_vouch_for_its_own_words() -> None:
    """Words without confidences (vosk's plain partials) are not evidence of
    understanding; only [unk] among them counts against it."""
    sure, plain = trusting(), trusting()
    sure.feed(final("здравствуйте скажите пожалуйста какой у меня тариф", 3.0))
    plain.feed(TranscriptPartial("c", CUSTOMER, "здравствуйте скажите пожалуйста", (), 3.0))
    for t in (sure, plain):
        t.feed(TranscriptPartial("c", CUSTOMER, "безобразие", (), 4.0))
    assert total(sure, 4.0) > 0.0 == total(plain, 4.0)


def test_an_open_vocabulary_is_trusted_from_the_first_plain_partial() -> None:
    """A large-vocabulary recogniser's first words count at once; its finals
    still say how well it understood."""
    closed, opened = trusting(), trusting()
    opened.open_vocabulary()
    for t in (closed, opened):
        t.feed(TranscriptPartial("c", CUSTOMER, "это безобразие", (), 1.0))
    assert total(closed, 1.0) == 0.0 < total(opened, 1.0)
    unsure = trusting()
    unsure.open_vocabulary()
    unsure.feed(final("[unk] [unk] безобразие [unk] [unk] [unk] [unk] [unk]", 2.0))
    assert total(unsure, 2.0) == 0.0


def test_a_sure_keyword_stretched_over_many_syllables_counts_nothing() -> None:
    """A small closed vocabulary fits its words onto speech it does not know,
    sure of them but held far longer than they take to say."""
    text = "скажите пожалуйста это просто безобразие с моим тарифом"
    said, stretched = trusting(), trusting()
    said.feed(final(text, 4.0))
    held = tuple(
        Word(w.word, w.start_s, w.start_s + 2.5, w.conf) if w.word == "безобразие" else w
        for w in words(text)
    )  # 4 syllables in 2.5 s
    stretched.feed(TranscriptFinal("c", CUSTOMER, text, held, 4.0))
    assert total(said, 4.0) > 0.0 == total(stretched, 4.0)


def test_stretched_sure_words_around_a_keyword_are_not_understood() -> None:
    def heard(step_s: float) -> KeywordTracker:
        t = trusting("en")
        t.feed(final("bag need a manager with you please the internet", 4.0, step_s=step_s))
        return t

    assert total(heard(0.3), 4.0) > 0.0 == total(heard(1.2), 4.0)


def total(t: KeywordTracker, now_s: float) -> float:
    return sum(r.weight for r in t.contributions(now_s))


def test_a_word_in_partials_and_final_counts_once() -> None:
    t = tracker()
    t.feed(partial("это безобразие", 1.0))
    once = total(t, 1.0)
    assert once == pytest.approx(load_lexicon("ru").category("insult").weight)
    t.feed(partial("это безобразие я", 1.2))
    t.feed(final("это безобразие я звоню", 1.6))
    assert total(t, 1.6) == pytest.approx(once)
    assert [r.text for r in t.contributions(1.6)] == ["слово «безобразие» (оскорбление)"]


def test_a_partial_the_final_revises_away_stops_counting() -> None:
    t = tracker()
    t.feed(partial("это безобразие", 1.0))
    assert total(t, 1.0) > 0
    t.feed(final("это без образа", 1.5))
    assert total(t, 1.5) == 0.0


def test_the_same_word_in_two_finals_counts_twice_with_less_weight() -> None:
    t = tracker(repeat_factor=0.5)
    t.feed(final("это безобразие", 1.0))
    first = total(t, 2.0)
    t.feed(final("просто безобразие", 2.0, start_s=1.2))
    assert total(t, 2.0) == pytest.approx(first * 1.5)
    assert t.contributions(2.0)[0].text == "слово «безобразие» (оскорбление) x2"


@pytest.mark.parametrize(
    ("conf", "share"), [(0.3, 0.0), (0.4, 0.0), (0.625, 0.5), (0.85, 1.0), (0.99, 1.0)]
)
def test_confidence_scales_the_weight(conf: float, share: float) -> None:
    t = tracker(min_conf=0.4, full_conf=0.85)
    t.feed(final("это безобразие", 1.0, conf=conf))
    assert total(t, 1.0) == pytest.approx(0.4 * share)


def test_a_phrase_counts_with_its_least_confident_word() -> None:
    t = tracker(min_conf=0.4, full_conf=0.85)
    event = TranscriptFinal(
        "c",
        CUSTOMER,
        "подам в суд",
        (Word("подам", 0, 0.3, 0.95), Word("в", 0.3, 0.4, 0.95), Word("суд", 0.4, 0.8, 0.5)),
        1.0,
    )
    t.feed(event)
    assert total(t, 1.0) == pytest.approx(0.45 * (0.5 - 0.4) / 0.45)


def test_negated_threat_adds_nothing_but_is_kept_for_inspection() -> None:
    t = tracker()
    t.feed(final("я не буду жаловаться", 1.0))
    assert total(t, 1.0) == 0.0
    assert [h.spoken for h in t.negated] == ["жаловаться"]


def test_hits_hold_then_fade() -> None:
    t = tracker(hold_s=10.0, half_life_s=5.0)
    t.feed(final("это безобразие", 1.0, start_s=0.2))  # ends at 1.0 s
    assert total(t, 11.0) == pytest.approx(0.4)
    assert total(t, 16.0) == pytest.approx(0.2)
    assert total(t, 21.0) == pytest.approx(0.1)


def test_category_cap_limits_context_words() -> None:
    t = tracker()
    t.feed(final("не работает интернет нет связи уже неделю два дня", 3.0))
    outage = load_lexicon("ru").category("outage")
    assert total(t, 3.0) == pytest.approx(outage.cap)


def test_overall_cap_limits_all_keywords_and_keeps_proportions() -> None:
    t = tracker(cap=0.5)
    t.feed(final("это безобразие вы идиоты я подам в суд", 3.0))
    reasons = t.contributions(3.0)
    assert sum(r.weight for r in reasons) == pytest.approx(0.5)
    by_text = {r.text: r.weight for r in reasons}
    assert by_text["слово «безобразие» (оскорбление)"] == pytest.approx(
        by_text["слово «идиоты» (оскорбление)"]
    )
    assert by_text["фраза «подам в суд» (угроза)"] > by_text["слово «идиоты» (оскорбление)"]


def test_text_only_results_use_the_configured_confidence() -> None:
    t = tracker("en", text_only_conf=0.625, min_conf=0.4, full_conf=0.85)
    reach = t.feed(TranscriptPartial("c", CUSTOMER, "I want a manager", (), 4.0))
    assert reach == 4.0
    reasons = t.contributions(4.0)
    assert [r.text for r in reasons] == ["phrase 'want a manager' (manager demand)"]
    assert reasons[0].weight == pytest.approx(0.4 * 0.5)


def test_feed_reports_the_audio_time_reached() -> None:
    t = tracker()
    assert t.feed(final("алло здравствуйте", 0.5, start_s=1.0)) == pytest.approx(1.8)
