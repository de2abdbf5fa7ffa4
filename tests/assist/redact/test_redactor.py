"""The per-call redactor over transcript and other events, ru and en."""

import pytest

from assist.redact import CallRedactor, RedactionConfig, load_redaction_config
from ivr import events as ev

CUSTOMER, AGENT = ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT
CARD_OK = (
    "четыре пять три девять один четыре восемь восемь ноль три четыре три шесть четыре шесть семь"
)
CARD_BAD = (
    "четыре пять три девять один четыре восемь восемь ноль три четыре три шесть четыре шесть восемь"
)
CARD_OK_EN = "four five three nine one four eight eight zero three four three six four six seven"
CARD_BAD_EN = "four five three nine one four eight eight zero three four three six four six eight"
DIGIT_WORDS = {
    *"ноль один два три четыре пять шесть семь восемь девять".split(),
    *"zero one two three four five six seven eight nine".split(),
}


def words(text: str, start_s: float = 0.0) -> tuple[ev.Word, ...]:
    return tuple(
        ev.Word(w, round(start_s + 0.3 * i, 3), round(start_s + 0.3 * i + 0.25, 3), 0.9)
        for i, w in enumerate(text.split())
    )


def final(text: str, start_s: float = 0.0, role=CUSTOMER) -> ev.TranscriptFinal:
    return ev.TranscriptFinal("c1", role, text, words(text, start_s), at_s=start_s)


def partial(text: str, role=CUSTOMER) -> ev.TranscriptPartial:
    return ev.TranscriptPartial("c1", role, text)


@pytest.fixture
def config() -> RedactionConfig:
    return load_redaction_config(None)


def said(config, lang: str, *texts: str) -> list[str]:
    redactor = CallRedactor(config, lang)
    out, at_s = [], 0.0
    for text in texts:
        event = redactor.redact(final(text, at_s))
        at_s = event.words[-1].end_s + 0.5
        assert event.text == " ".join(w.word for w in event.words)
        out.append(event.text)
    return out


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("ru", f"номер моей карты {CARD_OK} спасибо", "номер моей карты [card] спасибо"),
        ("ru", f"моя карта {CARD_BAD}", "моя карта [card]"),  # a cue word: a misread card too
        ("ru", f"{CARD_OK} вот", "[card] вот"),  # no cue: the Luhn check says card
        ("ru", f"{CARD_BAD} вот", "[account] вот"),  # no cue, not Luhn: hidden all the same
        ("en", f"my card number is {CARD_OK_EN} thanks", "my card number is [card] thanks"),
        ("en", f"{CARD_OK_EN} okay", "[card] okay"),
        ("en", f"{CARD_BAD_EN} okay", "[account] okay"),
        ("en", "4539 1488 0343 6467 okay", "[card] okay"),  # digits as an engine may write them
        (
            "ru",
            "мой телефон восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь",
            "мой телефон [phone]",
        ),
        ("ru", "плюс семь девять один шесть один два три четыре пять шесть семь", "[phone]"),
        (
            "en",
            "my phone number is two zero two five five five zero one nine nine please",
            "my phone number is [phone] please",
        ),
        (
            "en",
            "call me on plus four four seven seven zero zero nine zero zero",
            "call me on [phone]",
        ),
        ("ru", "номер договора сорок два семнадцать девяносто", "номер договора [account]"),
        ("ru", "лицевой счёт ноль ноль один два три четыре пять", "лицевой счёт [account]"),
        (
            "en",
            "my contract number is twenty one thirty four fifty six",
            "my contract number is [account]",
        ),
        ("en", "account seven seven one two nine", "account [account]"),
        (
            "ru",
            "паспорт серия четыре пять ноль один номер один два три четыре пять шесть",
            "паспорт серия [passport] номер [passport]",
        ),
        (
            "en",
            "my passport is five three one two two four seven eight nine",
            "my passport is [passport]",
        ),
        ("ru", "почта иван точка петров собака майл точка ру спасибо", "почта [email] спасибо"),
        ("ru", "иван точка петров собака майл точка ру", "[email]"),
        ("en", "it is john dot smith at gmail dot com thanks", "it is [email] thanks"),
        ("en", "john underscore smith at mail dot co dot uk", "[email]"),
    ],
)
def test_pii_is_replaced_by_a_typed_placeholder(config, lang, text, expected):
    assert said(config, lang, text) == [expected]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "i waited three days this is the third time and ten minutes on hold"),
        ("en", "two hours for five hundred dollars since twenty twenty four"),
        ("en", "i paid two thousand twenty four dollars"),
        ("en", "the one i bought is at home"),
        ("en", "i called twenty times"),
        ("ru", "я звоню третий раз за два дня жду десять минут уже два часа"),
        ("ru", "списали пятьсот рублей в две тысячи двадцать четвертом"),
        ("ru", "с десяти тридцати нет связи"),
        ("ru", "мой телефон не работает три дня"),
        ("ru", "по договору один раз в месяц"),
    ],
)
def test_numbers_that_are_not_pii_survive(config, lang, text):
    redactor = CallRedactor(config, lang)
    event = final(text)
    assert redactor.redact(event) is event
    assert redactor.spans_s == []


def test_words_keep_their_times_and_the_audio_span_is_noted(config):
    redactor = CallRedactor(config, "en")
    event = redactor.redact(final(f"card {CARD_OK_EN} thanks", 2.0))
    hidden = event.words[1]
    assert (hidden.word, hidden.start_s, hidden.end_s) == ("[card]", 2.3, 2.0 + 0.3 * 16 + 0.25)
    assert event.words[-1].word == "thanks" and len(event.words) == 3
    assert redactor.spans_s == [(2.3, 7.05)]
    agent = redactor.redact(final(f"so that is {CARD_OK_EN}", 9.0, role=AGENT))
    assert agent.text == "so that is [card]"
    assert redactor.spans_s == [(2.3, 7.05)] and redactor.spans_for(AGENT) == [(9.9, 14.65)]


def test_partials_hide_a_number_as_it_grows_and_the_final_agrees(config):
    redactor = CallRedactor(config, "ru")
    seen = [
        redactor.redact(partial(text)).text
        for text in (
            "номер карты четыре",
            "номер карты четыре пять три",
            "номер карты " + " ".join(CARD_OK.split()[:7]),
        )
    ]
    assert seen == ["номер карты [card]"] * 3
    # no cue: two digits are enough to hide the end of a partial, not one
    assert redactor.redact(partial("жду два")).text == "жду два"
    assert redactor.redact(partial("жду один семь")).text == "жду [account]"
    assert redactor.redact(final(f"номер карты {CARD_OK}")).text == "номер карты [card]"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_number_split_over_two_finals_is_hidden_in_both(config, lang):
    card = (CARD_OK if lang == "ru" else CARD_OK_EN).split()
    cue = "номер карты" if lang == "ru" else "my card number is"
    first, second = " ".join(card[:4]), " ".join(card[4:])
    thanks = "спасибо" if lang == "ru" else "thanks"
    assert said(config, lang, f"{cue} {first}", f"{second} {thanks}") == [
        f"{cue} [card]",
        f"[card] {thanks}",
    ]
    # with no cue the first part is hidden from five digits (eagerly, as what it could be)
    out = said(config, lang, " ".join(card[:8]), " ".join(card[8:]))
    assert out[0] in ("[account]", "[card]") and out[1] == "[card]"
    assert not any(w in DIGIT_WORDS for text in out for w in text.split())


def test_a_split_number_continues_only_soon_and_only_from_the_same_speaker(config):
    redactor = CallRedactor(config, "en")
    assert redactor.redact(final("my card is four five three nine")).text == "my card is [card]"
    agent = final("one two", 2.0, role=AGENT)
    assert redactor.redact(agent) is agent
    late = final("two days", 60.0)
    assert redactor.redact(late) is late


def test_a_short_trailing_number_that_is_continued_is_hidden_from_then_on(config):
    redactor = CallRedactor(config, "ru")
    first = final("запишите два")
    assert redactor.redact(first) is first  # one digit and no cue: not hidden
    second = redactor.redact(final("семь семь один два девять четыре ноль", 1.0))
    assert second.text == "[account]"


def test_a_partial_email_is_hidden_before_its_domain_is_heard(config):
    redactor = CallRedactor(config, "en")
    assert redactor.redact(partial("my email is john dot smith at")).text == "my email is [email]"
    assert redactor.redact(partial("john dot smith at gmail")).text == "[email]"
    keep = partial("look at this")
    assert redactor.redact(keep) is keep


def test_reasons_suggestions_and_flags_lose_what_was_hidden(config):
    redactor = CallRedactor(config, "ru")
    redactor.redact(final(f"карта {CARD_OK} и почта иван точка петров собака майл точка ру"))
    reason = ev.AngerReason(
        "keyword:repeat", "ключевые слова: «девять один четыре»", 0.3, "девять один четыре"
    )
    update = ev.AngerUpdate("c1", 1.0, 0.4, ev.AngerLevel.TENSE, ev.Trend.RISING, (reason,))
    out = redactor.redact(update)
    assert out.reasons[0].text == "ключевые слова: «[card]»" and out.reasons[0].words == "[card]"
    tip = ev.Suggestion("c1", "s1", "Иван, повторите 4539148803436467", "p", "t", "ru")
    assert redactor.redact(tip).text == "[email], повторите [card]"
    flag = ev.CallFlagged("c1", 1.0, ev.AngerLevel.TENSE, "петров")
    assert redactor.redact(flag).reason == "[email]"
    calm = ev.AngerUpdate(
        "c1",
        1.0,
        0.1,
        ev.AngerLevel.CALM,
        ev.Trend.STEADY,
        (ev.AngerReason("keyword:repeat", "третий раз", 0.3, "третий раз"),),
    )
    assert redactor.redact(calm) is calm
    ivr = ev.IvrAction("c1", 1.0, "listen", "acct", {"digits": "4539148803436467"})
    assert redactor.redact(ivr).detail == {"digits": "[card]"}


def test_events_without_words_and_untouched_event_types(config):
    redactor = CallRedactor(config, "en")
    plain = ev.TranscriptFinal("c1", CUSTOMER, f"card {CARD_OK_EN}")
    assert redactor.redact(plain).text == "card [card]"
    for event in (
        ev.CallStarted("c1", "en"),
        ev.ProsodyFrame("c1", CUSTOMER, 1.0, -20.0, 120.0, True),
        ev.CallEnded("c1", 3.0),
    ):
        assert redactor.redact(event) is event


def test_disabled_redacts_nothing():
    redactor = CallRedactor(RedactionConfig.disabled(), "en")
    event = final(f"card {CARD_OK_EN}")
    assert redactor.redact(event) is event and redactor.spans_s == []


def test_a_complete_card_or_phone_is_not_continued_by_the_next_final(config):
    assert said(config, "en", f"card {CARD_OK_EN}", "three days now") == [
        "card [card]",
        "three days now",
    ]
    phone = "мой телефон восемь девять один шесть один два три четыре пять шесть семь"
    assert said(config, "ru", phone, "два дня жду") == ["мой телефон [phone]", "два дня жду"]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "ru",
            "оплата четыре пять беспредел девять один четыре восемь восемь ноль три четыре три",
            "оплата [account]",
        ),
        (
            "en",
            "my charge is four five eight three nine one for eight zero three four three six",
            "my charge is [account]",
        ),
        ("en", "i waited two hours four five six seven eight nine", "i waited two hours [account]"),
        (
            "en",
            "account one two three four phone five six seven eight nine one two",
            "account [account] phone [phone]",
        ),
    ],
)
def test_a_number_broken_by_one_misheard_word_is_hidden_whole(config, lang, text, expected):
    assert said(config, lang, text) == [expected]


def test_a_piece_of_a_number_after_a_cue_word_and_a_partials_unsteady_end(config):
    redactor = CallRedactor(config, "ru")
    heard = partial("мой телефон восемь девять один шесть один завтра")
    assert redactor.redact(heard).text == "мой телефон [phone] завтра"
    assert said(config, "ru", "мой телефон восемь девять один шесть один завтра") == [
        "мой телефон [phone] завтра"
    ]
    english = CallRedactor(config, "en")
    assert english.redact(partial("my contract is seven seven one to")).text == (
        "my contract is [account] to"
    )
    keep = final("my contract is seven seven one to")  # a final's end is steady: three digits stay
    assert english.redact(keep).text == "my contract is seven seven one to"


def test_a_text_seen_before_a_number_was_hidden_loses_it_afterwards(config):
    """Free text is remembered once redacted, but only while the call's
    secrets stay the same: the same reason after a card number was hidden
    hides its fragment."""
    redactor = CallRedactor(config, "ru")
    reason = ev.AngerReason(
        "keyword:repeat", "ключевые слова: «девять один четыре»", 0.3, "девять один четыре"
    )
    update = ev.AngerUpdate("c1", 1.0, 0.4, ev.AngerLevel.TENSE, ev.Trend.RISING, (reason,))
    assert redactor.redact(update) is update  # nothing hidden in this call yet
    assert redactor.redact(update) is update  # ... and remembered so
    redactor.redact(final(f"карта {CARD_OK}"))
    out = redactor.redact(update)
    assert out.reasons[0].text == "ключевые слова: «[card]»" and out.reasons[0].words == "[card]"
