"""Numbers and punctuation -> the vosk path's token form, in ru and en."""

import pytest

from ivr.asr.normalize import TimedText, normalize_text, normalize_words
from ivr.asr.numbers import cardinal, ordinal


@pytest.mark.parametrize(
    ("n", "en", "ru"),
    [
        (0, "zero", "ноль"),
        (13, "thirteen", "тринадцать"),
        (21, "twenty one", "двадцать один"),
        (100, "one hundred", "сто"),
        (1001, "one thousand one", "тысяча один"),
        (2002, "two thousand two", "две тысячи два"),
        (21000, "twenty one thousand", "двадцать одна тысяча"),
        (5_000_000, "five million", "пять миллионов"),
    ],
)
def test_cardinals(n, en, ru):
    assert " ".join(cardinal(n, "en")) == en
    assert " ".join(cardinal(n, "ru")) == ru


def test_ordinals_take_the_written_ending():
    assert ordinal(3, "en") == ["third"]
    assert ordinal(21, "en") == ["twenty", "first"]
    assert ordinal(40, "en") == ["fortieth"]
    assert ordinal(3, "ru", "й") == ["третий"]
    assert ordinal(3, "ru", "го") == ["третьего"]
    assert ordinal(2, "ru", "я") == ["вторая"]
    assert ordinal(25, "ru", "м") == ["двадцать", "пятом"]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="de"):
        normalize_text("1", "de")


@pytest.mark.parametrize(
    ("text", "lang", "tokens"),
    [
        ("Press 1, then #.", "en", "press one then pound"),
        ("1,001 90210", "en", "one thousand one nine zero two one zero"),
        ("It's the 3rd time!", "en", "it's the third time"),
        (
            "In 1999 I paid $5, 10% more.",
            "en",
            "in nineteen ninety nine i paid five dollars ten percent more",
        ),
        ("Call at 10:05 [music]", "en", "call at ten oh five"),
        ("Это уже 3-й раз!", "ru", "это уже третий раз"),
        ("Жду с 3-го числа, 10 000 рублей", "ru", "жду с третьего числа десять тысяч рублей"),
        ("Скидка 25% (шум)", "ru", "скидка двадцать пять процентов"),
        (
            "8 800 555 35 35",
            "ru",
            "восемь восемьсот пятьсот пятьдесят пять тридцать пять тридцать пять",
        ),
        ("Кто-то звонил… «Алло»?", "ru", "кто-то звонил алло"),
        ("Код 0412", "ru", "код ноль четыре один два"),
        ("номер 1,2,3,4", "ru", "номер один два три четыре"),
        ("28,8 кбит", "ru", "двадцать восемь запятая восемь кбит"),
    ],
)
def test_text_becomes_words(text, lang, tokens):
    assert normalize_text(text, lang) == tokens.split()


def test_third_time_reads_like_the_lexicon_phrase():
    assert normalize_text("That's the 3rd time I call.", "en")[2:4] == ["third", "time"]
    assert normalize_text("Звоню в 3-й раз.", "ru")[2:4] == ["третий", "раз"]


def test_words_share_their_span_and_stay_in_order():
    words = normalize_words(
        [
            TimedText(" I", 0.0, 0.2, 0.9),
            TimedText(" owe", 0.25, 0.5),
            TimedText(" $1,001.", 0.4, 1.6, 0.7),  # overlaps the word before it
            TimedText(" ...", 1.6, 1.7),
        ],
        "en",
    )
    assert [w.word for w in words] == ["i", "owe", "one", "thousand", "one", "dollars"]
    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    assert all(w.start_s <= w.end_s for w in words)
    assert words[2].start_s >= words[1].end_s
    assert words[-1].end_s == 1.6
    assert {w.conf for w in words[2:]} == {0.7}
