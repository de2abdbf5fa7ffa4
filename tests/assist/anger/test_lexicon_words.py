"""The lexicon on real word forms: Russian lemmas, English stems, masked
obscenities, letters repeated for emphasis, role nouns only in demands,
complaints relieved by thanks, and the lemma checks of a site file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.anger.lexicon import lexicon_keywords, load_lexicon, tokenize
from ivr.datafile import DataFileError


def found(lang: str, text: str) -> list[tuple[str, str, bool]]:
    lexicon = load_lexicon(lang)
    tokens = tokenize(text)
    return [
        (m.term.category, " ".join(tokens[m.start : m.end + 1]), m.negated)
        for m in lexicon.find(tokens)
    ]


def categories(lang: str, text: str) -> list[str]:
    return [c for c, _, negated in found(lang, text) if not negated]


@pytest.mark.parametrize(
    "text",
    ["я напишу жалобу", "жалобами не поможешь? посмотрим", "мы подали жалобу", "пожаловались"],
)
def test_every_form_of_a_russian_lemma_matches(text: str) -> None:
    assert "threat" in categories("ru", text)


def test_a_phrase_of_lemmas_matches_its_inflected_words() -> None:
    assert found("ru", "мы подадим в суд") == [("threat", "подадим в суд", False)]
    assert found("ru", "интернет не работал весь вечер")[0][:2] == ("outage", "не работал")


@pytest.mark.parametrize("word", ["complaints", "complaining", "frustrated", "frustrating"])
def test_english_words_match_by_stem(word: str) -> None:
    assert categories("en", f"so {word} with this") != []


@pytest.mark.parametrize(
    ("lang", "text", "category"),
    [
        ("ru", "да бл* опять", "profanity"),
        ("ru", "это п@здец", "profanity"),
        ("en", "this f***ing airline", "profanity"),
        ("en", "what a sh*t show", "profanity"),
    ],
)
def test_masked_obscenities_count(lang: str, text: str, category: str) -> None:
    assert category in categories(lang, text)


def test_a_mask_that_fits_no_obscenity_counts_nothing() -> None:
    assert found("en", "see note* below and the t&c") == []
    assert found("en", "my fl**ht was d*layed") == []  # outage terms are not maskable


@pytest.mark.parametrize(
    ("lang", "text", "category"),
    [
        ("ru", "это ужаааасно", "exasperation"),
        ("ru", "нееет связиии", "outage"),
        ("en", "this is sooo terrrrible", "exasperation"),
        ("en", "ridiculoooous", "exasperation"),
    ],
)
def test_letters_repeated_for_emphasis_read_as_the_word(
    lang: str, text: str, category: str
) -> None:
    assert category in categories(lang, text)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "директор компании рассказал о новых тарифах"),
        ("ru", "наш руководитель доволен"),
        ("en", "the manager of the year award"),
        ("en", "how do i cancel a booking and get a refund"),
        ("ru", "юрист компании прокомментировал размер компенсации"),
        ("en", "the attorney general spoke about compensation"),
    ],
)
def test_role_nouns_and_topic_words_alone_count_nothing(lang: str, text: str) -> None:
    assert found(lang, text) == []


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "позовите руководителя"),
        ("ru", "я хочу поговорить с начальником"),
        ("en", "i need to speak to a supervisor"),
    ],
)
def test_role_nouns_in_a_demand_count(lang: str, text: str) -> None:
    assert categories(lang, text) == ["manager_demand"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [("ru", "я обращусь к юристу"), ("ru", "требую компенсацию"), ("en", "i will get a lawyer")],
)
def test_role_nouns_and_topic_words_in_a_threat_count(lang: str, text: str) -> None:
    assert categories(lang, text) == ["threat"]


def test_thanks_next_to_a_complaint_relieves_it_but_not_across_but() -> None:
    relieved = load_lexicon("en").find(tokenize("thanks for fixing the outage so fast"))
    assert [(m.term.category, m.negated, m.relieved) for m in relieved] == [("outage", True, True)]
    assert categories("en", "thanks, but my bag is still lost") != []
    assert categories("ru", "спасибо, связь восстановили после сбоя") == []
    assert "outage" in categories("ru", "спасибо, но интернета так и нет")


def test_thanks_never_relieves_anger() -> None:
    assert categories("en", "thanks a lot, idiots") == ["insult"]


def test_categories_say_their_kind() -> None:
    for lang in ("ru", "en"):
        lexicon = load_lexicon(lang)
        assert lexicon.kind_of("insult") == "anger"
        assert lexicon.kind_of("outage") == "complaint"
        assert {c.kind for c in lexicon.categories} == {"anger", "complaint"}


def test_the_speech_keywords_stay_bounded() -> None:
    """The project's speech model is built for ~300 words a language; the
    lexicon adds one form per term word, never the whole lexemes."""
    for lang in ("ru", "en"):
        assert 100 < len(lexicon_keywords(lang)) <= 240


def test_the_matching_tokenizer_keeps_masked_words_whole() -> None:
    assert tokenize("F***ing hell, бл* @united") == ["f***ing", "hell", "бл*", "united"]


# ---------------------------------------------------------------- site files

SITE = """\
language = "ru"

[categories.threat]
kind = "anger"
weight = 0.4
terms = [
  "суд",
  "подать в суд",
]
"""


def load_site(tmp_path: Path, text: str):
    path = tmp_path / "lexicon_ru.toml"
    path.write_text(text, encoding="utf-8")
    return load_lexicon("ru", path)


def error_of(tmp_path: Path, text: str) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        load_site(tmp_path, text)
    return info.value


def test_a_form_instead_of_a_lemma_is_refused_with_the_lemma_to_write(tmp_path: Path) -> None:
    err = error_of(tmp_path, SITE.replace('"подать в суд"', '"подам в суд"'))
    assert err.line == 8
    assert "'подам' is a form of 'подать'" in str(err) and "=подам" in str(err)


def test_an_exact_form_is_allowed_and_matches_only_itself(tmp_path: Path) -> None:
    lexicon = load_site(tmp_path, SITE.replace('"подать в суд"', '"=подам в суд"'))
    assert [m.term.text for m in lexicon.find(tokenize("я подам в суд"))] == ["=подам в суд"]
    assert [m.term.text for m in lexicon.find(tokenize("я подал в суд"))] == ["суд"]


def test_an_unknown_kind_names_its_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, SITE.replace('kind = "anger"', 'kind = "rage"'))
    assert err.line == 4 and "anger, complaint" in str(err)


def test_a_bad_relief_word_names_its_line(tmp_path: Path) -> None:
    text = SITE.replace(
        "[categories", '[relief]\nwords = ["спасибо", "спасибо большое"]\n\n[categories', 1
    )
    err = error_of(tmp_path, text)
    assert err.line == 4 and "спасибо большое" in str(err)


def test_marks_of_written_text_are_tokens_and_count_in_text_only() -> None:
    assert tokenize("why?! :-( ((( 😡😡 ok?? fine!") == [
        "why",
        "?!",
        ":(",
        ":(",
        "😠",
        "ok",
        "??",
        "fine",
    ]
    assert "exasperation" in categories("ru", "опять без связи ((")
    assert "exasperation" in categories("en", "my flight :(")
    for lang in ("ru", "en"):
        assert not {":(", "😠", "?!", "??"} & set(lexicon_keywords(lang))  # nothing to speak


def test_crying_faces_are_not_read_as_sad() -> None:
    assert ":(" not in tokenize("I won 😭😭")


@pytest.mark.parametrize(
    ("lang", "text"),
    [("ru", "интернет совсем не тормозит"), ("en", "never had any problems with them")],
)
def test_a_fault_said_not_to_happen_counts_nothing(lang: str, text: str) -> None:
    assert categories(lang, text) == []
