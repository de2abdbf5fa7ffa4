"""The default vocabulary reads the demo's call texts through a data path (a
calls file), not by importing the test fixtures, and says which line of that
file is wrong."""

from __future__ import annotations

import pytest

from assist import vocabulary
from audio_fixtures import fixture_vocabulary
from ivr.datafile import DataFileError


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_repository_calls_file_gives_the_fixture_generators_words(lang, monkeypatch):
    monkeypatch.delenv(vocabulary.CALL_TEXTS_ENV, raising=False)
    path = vocabulary.call_texts_path()
    assert path == vocabulary.REPO_CALL_TEXTS
    assert vocabulary.call_text_words(path, lang) == fixture_vocabulary(lang)
    assert set(fixture_vocabulary(lang)) <= set(vocabulary.default_vocabulary(lang))


def test_a_site_names_its_own_calls_file(tmp_path, monkeypatch):
    calls = tmp_path / "calls.toml"
    calls.write_text(
        '[[calls]]\nlanguage = "en"\nturns = [\n'
        '  { customer = "my router blinks, twice!" },\n'
        '  { agent = "restart it, please." },\n]\n'
        '[[calls]]\nlanguage = "ru"\nturns = [{ customer = "роутер мигает" }]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(vocabulary.CALL_TEXTS_ENV, str(calls))
    assert vocabulary.call_texts_path() == calls
    words = ["blinks", "it", "my", "please", "restart", "router", "twice"]
    assert vocabulary.call_text_words(calls, "en") == words
    en = vocabulary.default_vocabulary("en")
    assert set(words) <= set(en)
    assert set(fixture_vocabulary("en")) - set(en)  # the fixture calls' own words are gone


def test_a_bad_turn_is_named_with_its_file_and_line(tmp_path):
    calls = tmp_path / "calls.toml"
    calls.write_text(
        '[[calls]]\nlanguage = "en"\nturns = [{ customer = "hello" }]\n\n'
        '[[calls]]\nlanguage = "en"\nturns = [{ caller = "hello" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"calls\.toml:7: a turn is") as info:
        vocabulary.call_text_words(calls, "en")
    assert info.value.line == 7
    assert vocabulary.call_text_words(calls, "ru") == []  # other languages are not read


def test_a_named_calls_file_that_is_missing_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(vocabulary.CALL_TEXTS_ENV, str(tmp_path / "nowhere.toml"))
    with pytest.raises(DataFileError, match=r"nowhere\.toml: cannot read"):
        vocabulary.default_vocabulary("en")
