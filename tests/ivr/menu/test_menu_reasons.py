"""The IVR's reason texts: every language has the English keys and placeholders."""

import re

import pytest

from ivr.datafile import DataFileError
from ivr.menu.reasons import load_reason_texts, reasons_file


def test_each_language_says_every_reason():
    en, ru = load_reason_texts("en"), load_reason_texts("ru")
    assert set(en.texts) == set(ru.texts) and set(en.levels) == set(ru.levels)
    assert ru.say("failed_in_a_row", count=3) == "неудачных попыток подряд: 3"
    assert en.say("chose", choice=en.say("digit", digit="2"), node="Billing") == (
        "caller chose key 2 in Billing"
    )
    assert load_reason_texts("de").language == "en"  # no file: English


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('operator = "клиент попросил оператора"\n', "", "operator is missing"),
        ("{count} ({what})", "{count}", "failed_at_node must use ['count', 'node', 'what']"),
        ('anger = "{level}: {why}"', 'anger = "{level}: {why}"\nmood = "x"', "mood: not an"),
        ('angry = "сердит"', "angry = 3", "levels.angry must be non-empty text"),
    ],
)
def test_a_broken_file_names_its_line(tmp_path, old, new, message):
    text = reasons_file("ru").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "reasons_ru.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError, match=re.escape(message)) as err:
        load_reason_texts("ru", path)
    assert re.match(rf"{re.escape(str(path))}:\d+: ", str(err.value))
