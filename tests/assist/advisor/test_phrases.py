"""The phrase library: counts, coverage, labels and validation of the data files."""

import re
from collections import Counter

import pytest

from assist.advisor import (
    AGENT_TRIGGERS,
    CUE_TRIGGERS,
    PRINCIPLES,
    load_phrase_book,
    load_phrases,
)
from assist.advisor.phrases import known_triggers, library_language
from ivr.datafile import DataFileError
from ivr.events import SuggestionKind

LANGS = ["en", "ru"]


def phrases_only(lang):
    return [p for p in load_phrases(lang) if p.kind is SuggestionKind.PHRASE]


@pytest.mark.parametrize("lang", LANGS)
def test_at_least_forty_phrases_to_say(lang):
    assert len(phrases_only(lang)) >= 40


@pytest.mark.parametrize("lang", LANGS)
def test_every_trigger_has_several_answers(lang):
    said = Counter(t for p in phrases_only(lang) for t in p.triggers)
    cued = Counter(
        t for p in load_phrases(lang) if p.kind is SuggestionKind.CUE for t in p.triggers
    )
    scripted = [t for t in known_triggers() if t not in CUE_TRIGGERS]  # advisor.toml's too
    assert "billing" in scripted
    assert {t: said[t] for t in scripted if said[t] < 5} == {}
    assert {t: cued[t] for t in CUE_TRIGGERS if cued[t] < 3} == {}


@pytest.mark.parametrize("lang", LANGS)
def test_every_principle_is_served_and_labelled(lang):
    book = load_phrase_book(lang)
    assert {p.principle for p in book.phrases} == set(PRINCIPLES)
    assert set(book.principle_labels) == set(PRINCIPLES)
    assert all(book.principle_label(p) != p for p in PRINCIPLES)
    assert set(book.trigger_labels) == set(known_triggers() + AGENT_TRIGGERS)


@pytest.mark.parametrize("lang", LANGS)
def test_behaviour_triggers_are_answered_only_by_cues(lang):
    for phrase in load_phrases(lang):
        if set(phrase.triggers) & set(CUE_TRIGGERS):
            assert phrase.kind is SuggestionKind.CUE, phrase.phrase_id


@pytest.mark.parametrize("lang", LANGS)
def test_phrases_are_short_enough_to_say(lang):
    too_long = [
        p.phrase_id for p in load_phrases(lang) if len(p.text.split()) > 20 or len(p.text) > 130
    ]
    assert too_long == []


def test_each_language_is_written_in_its_own_script_with_distinct_ids():
    en, ru = load_phrases("en"), load_phrases("ru")
    assert all(not re.search("[а-яё]", p.text, re.I) for p in en)
    assert all(
        re.search("[а-яё]", p.text, re.I) and not re.search("[a-z]", p.text, re.I) for p in ru
    )
    ids = [p.phrase_id for p in en + ru]
    assert len(ids) == len(set(ids))
    assert all(p.phrase_id.startswith("en-") for p in en)
    assert all(p.phrase_id.startswith("ru-") for p in ru)


@pytest.mark.parametrize(
    ("given", "lang"), [("ru-RU", "ru"), ("RU", "ru"), ("en_GB", "en"), ("de", "en")]
)
def test_library_language(given, lang):
    assert library_language(given) == lang


PHRASE = (
    '[[phrase]]\nid = "{id}"\ntext = "Hello"\nprinciple = "{principle}"\n'
    "triggers = [{triggers}]\n{extra}\n"
)


def phrase(id="a", principle="patience", triggers='"rising"', extra=""):
    return PHRASE.format(id=id, principle=principle, triggers=triggers, extra=extra)


def write(tmp_path, text):
    path = tmp_path / "phrases.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            phrase() + phrase("b", principle="smugness"),
            10,
            "phrase #2: unknown principle 'smugness'",
        ),
        (phrase() + phrase("a"), 8, "phrase #2: duplicate id 'a'"),
        (
            phrase(triggers='"rising", "weather"'),
            5,
            "phrase #1: 'triggers' must be a non-empty list",
        ),
        (
            phrase(triggers='"shouting"'),
            1,
            "phrase #1: trigger\\(s\\) \\['shouting'\\] are answered by behaviour cues",
        ),
        (phrase(extra='kind = "warning"'), 6, "phrase #1: 'kind' must be 'phrase' or 'cue'"),
        (phrase(extra='colour = "red"'), 1, "phrase #1: unknown key\\(s\\) \\['colour'\\]"),
        (
            '[labels.principles]\npatience = "P"\nsmugness = "S"\n' + phrase(),
            3,
            "no principle called 'smugness'",
        ),
        (
            '[reasons]\nwaiting = [\n  "wait*",\n  "on hold",\n]\n' + phrase(),
            4,
            "'on hold': one word per entry",
        ),
        ('language = "ru"\n' + phrase(), 1, "language is 'ru' but the file was loaded for 'en'"),
        (phrase() + "[[phrase]\n", 7, "not valid TOML"),
    ],
)
def test_validation_errors_name_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(DataFileError, match=rf"^{re.escape(str(path))}:{line}: {message}"):
        load_phrase_book("en", path)


def test_a_file_without_phrases_is_refused(tmp_path):
    path = write(tmp_path, 'language = "en"\n')
    with pytest.raises(DataFileError, match=r"one or more \[\[phrase\]\] tables"):
        load_phrases("en", path)


def test_a_valid_site_file_loads(tmp_path):
    path = write(tmp_path, phrase() + phrase("b", triggers='"shouting"', extra='kind = "cue"'))
    book = load_phrase_book("en", path)
    assert [(p.phrase_id, p.kind) for p in book.phrases] == [
        ("a", SuggestionKind.PHRASE),
        ("b", SuggestionKind.CUE),
    ]
    assert book.principle_label("patience") == "patience"  # no labels in this file: the id
