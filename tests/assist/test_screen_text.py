"""The screens' words: every language has the English file's keys and
placeholders, in the form the pages' reader understands."""

import re
from pathlib import Path

import pytest

from assist.screen_text import LANGUAGES, check_screen_texts, load_screen_text, screen_file
from ivr.datafile import DataFileError


def test_shipped_languages_have_every_key():
    check_screen_texts()
    en = load_screen_text("en")
    for lang in LANGUAGES:
        text = load_screen_text(lang)
        assert {t: set(k) for t, k in text.items()} == {t: set(k) for t, k in en.items()}
    ru = load_screen_text("ru")
    assert ru["supervisor"]["reason"] != en["supervisor"]["reason"]
    assert ru["levels"]["angry"] == "сердит"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "screen_ru.toml"
    path.write_text(body, encoding="utf-8")
    return path


def russian_with(change: tuple[str, str]) -> str:
    old, new = change
    body = screen_file("ru").read_text(encoding="utf-8")
    assert old in body
    return body.replace(old, new, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('title = "Звонки сейчас"\n', ""), "supervisor.title is missing"),
        (('ago = "{time} назад"', 'ago = "недавно"'), "placeholders ['time']"),
        (('call = "Звонок"', 'call = "Звонок"\ncalls = "Звонки"'), "supervisor.calls: no such key"),
        (('call = "Звонок"', "call = 'Звонок'"), 'key = "text" lines'),
        (('call = "Звонок"', 'call = "Зво\\U0001F600нок"'), "escapes"),
        (('language = "ru"', 'language = "en"'), "file is for 'ru'"),
    ],
)
def test_a_broken_language_file_names_its_line(tmp_path, change, message):
    path = write(tmp_path, russian_with(change))
    with pytest.raises(DataFileError, match=re.escape(message)) as err:
        load_screen_text("ru", path)
    assert str(err.value).startswith(f"{path}:")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_what_a_card_answers_is_said_as_in_the_phrase_files(lang):
    from assist.advisor import load_phrase_book

    assert load_screen_text(lang)["triggers"] == load_phrase_book(lang).trigger_labels
