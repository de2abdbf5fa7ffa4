from __future__ import annotations

from pathlib import Path

import pytest

from assist.anger.lexicon import lexicon_vocabulary, load_lexicon
from assist.wordpatterns import tokenize
from ivr.datafile import DataFileError


def found(lang: str, text: str) -> list[tuple[str, str, bool]]:
    """(category, matched words, negated) for each match in ``text``."""
    lexicon = load_lexicon(lang)
    tokens = tokenize(text)
    return [
        (m.term.category, " ".join(tokens[m.start : m.end + 1]), m.negated)
        for m in lexicon.find(tokens)
    ]


@pytest.mark.parametrize("word", ["безобразие", "безобразно", "Безобразный", "безобразия"])
def test_russian_word_forms_of_one_stem_match(word: str) -> None:
    assert found("ru", f"это {word}") == [("insult", word.lower(), False)]


@pytest.mark.parametrize("word", ["жалоба", "жалобу", "жаловаться", "пожалуюсь"])
def test_complaint_forms_are_threats(word: str) -> None:
    assert [c for c, _, _ in found("ru", f"я {word}")] == ["threat"]


def test_please_is_not_a_complaint() -> None:
    assert found("ru", "пожалуйста помогите") == []


def test_yo_is_read_as_ye_and_case_is_ignored() -> None:
    assert found("ru", "ЗВОНЮ ЕЩЁ РАЗ, ТРЕТИЙ РАЗ!") == [("repeat_contact", "третий раз", False)]


def test_phrase_allows_a_word_in_between_but_keeps_order() -> None:
    assert found("ru", "я звоню уже третий раз") == [("repeat_contact", "третий раз", False)]
    assert found("en", "this is the third time i call") == [("repeat_contact", "third time", False)]
    assert found("en", "time third") == []


def test_longer_phrase_wins_over_its_single_word() -> None:
    assert found("ru", "я подам в суд") == [("threat", "подам в суд", False)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "я не буду жаловаться"),
        ("ru", "я не буду на вас жаловаться"),
        ("en", "I will not complain"),
        ("en", "I'm not going to cancel my contract"),
        ("en", "I won\u2019t close my account"),
    ],
)
def test_negation_cancels_a_threat(lang: str, text: str) -> None:
    hits = found(lang, text)
    assert len(hits) == 1 and hits[0][0] == "threat" and hits[0][2] is True


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "если не почините я подам в суд"),
        ("en", "if you don't fix it i'll complain"),
        ("en", "i did not get an answer but i will complain"),
    ],
)
def test_a_barrier_word_stops_the_negation(lang: str, text: str) -> None:
    hits = found(lang, text)
    assert [(c, n) for c, _, n in hits if c == "threat"] == [("threat", False)]


def test_insults_are_not_negatable() -> None:
    assert found("ru", "не безобразие ли это") == [("insult", "безобразие", False)]


def test_negated_manager_demand() -> None:
    assert found("ru", "мне не нужен руководитель") == [
        ("manager_demand", "нужен руководитель", True)
    ]


def test_vocabulary_lists_concrete_forms_only() -> None:
    for lang in ("ru", "en"):
        vocab = lexicon_vocabulary(lang)
        assert vocab == sorted(set(vocab))
        assert all(w == w.lower() and w.strip() and not set(w) & set("{}*, ") for w in vocab)
    ru = lexicon_vocabulary("ru")
    assert {"безобразие", "пожалуюсь", "руководителя", "жалобу"} <= set(ru)
    assert {"outrageous", "manager", "complain", "cancel"} <= set(lexicon_vocabulary("en"))


def test_vocabulary_covers_every_fixture_word_the_lexicon_matches() -> None:
    """The suite's keyword-free speech model leaves out lexicon_vocabulary():
    every word of the fixture calls that a term can match must be in it."""
    from audio_fixtures import fixture_vocabulary

    for lang in ("ru", "en"):
        lexicon = load_lexicon(lang)
        vocab = set(lexicon_vocabulary(lang))
        for word in fixture_vocabulary(lang):
            (token,) = lexicon.analyse([word])
            if any(w.matches(token) for t in lexicon.terms for w in t.words):
                assert word in vocab, (lang, word)


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="available: en, ru"):
        load_lexicon("xx")


def test_language_tags_are_accepted() -> None:
    assert load_lexicon("ru-RU") is load_lexicon("ru")


# ---------------------------------------------------------------- malformed files

GOOD = """\
language = "en"

[negation]
words = ["not"]

[categories.insult]
label = "insult"
weight = 0.4
terms = [
  "idiot{,s}",
  "moron",
]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon_en.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        load_lexicon("en", write(tmp_path, text))
    return info.value


def test_a_good_site_lexicon_loads(tmp_path: Path) -> None:
    lexicon = load_lexicon("en", write(tmp_path, GOOD))
    assert [t.text for t in lexicon.terms] == ["idiot{,s}", "moron"]


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("weight = 0.4", "weight = = 0.4"))
    assert err.line == 8 and "lexicon_en.toml:8" in str(err)


def test_bad_pattern_names_its_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace('"moron",', '"mor{on",'))
    assert err.line == 11 and "mor{on" in str(err)


def test_keywords_take_the_first_alternative_of_each_word_and_skip_stems(
    tmp_path: Path,
) -> None:
    terms = '"moron",\n  "{stupid,dumb}",\n  "=sue you",\n  "idiotic*",'
    lexicon = load_lexicon("en", write(tmp_path, GOOD.replace('"moron",', terms)))
    assert lexicon.keywords() == ["idiot", "moron", "not", "stupid", "sue", "you"]


def test_unknown_key_names_its_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace('label = "insult"', 'lable = "insult"'))
    assert err.line == 7 and "lable" in str(err)


def test_weight_out_of_range_names_its_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("weight = 0.4", "weight = 4"))
    assert err.line == 8 and "weight" in str(err)


def test_duplicate_term_names_its_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace('"moron",', '"moron",\n  "moron",'))
    assert err.line == 11 and "twice" in str(err)


def test_wrong_language_is_reported(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace('language = "en"', 'language = "ru"'))
    assert err.line == 1


def test_negator_must_be_one_word(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace('words = ["not"]', 'words = ["not", "no way"]'))
    assert err.line == 4 and "no way" in str(err)


def test_bad_weight_inside_a_term_table_names_the_terms_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace('"moron",', '{ term = "moron", weight = 7 },'))
    assert err.line == 11 and "weight" in str(err)
