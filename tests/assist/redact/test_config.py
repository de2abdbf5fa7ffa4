"""redact.toml: the shipped settings load; a bad site file names file and line."""

from pathlib import Path

import pytest

from assist.redact import CallRedactor, load_redaction_config
from assist.redact.config import DEFAULT_PATH
from ivr import events as ev
from ivr.datafile import DataFileError

SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_file_loads_with_every_kind_on():
    config = load_redaction_config(None)
    assert config.enabled and config.source.endswith("redact.toml")
    assert {k.name for k in config.numbers if k.enabled} == {"card", "phone", "account", "passport"}
    assert config.email is not None and config.email.enabled
    assert config.placeholders == {"[card]", "[phone]", "[account]", "[passport]", "[email]"}


def site_file(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SHIPPED
    path = tmp_path / "redact.toml"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("min_digits = 6", "min_digits = 1", "numbers.min_digits must be within 3..40"),
        ("join_gap_s = 4.0", 'join_gap_s = "soon"', "numbers.join_gap_s must be float"),
        ('placeholder = "[phone]"', 'placeholder = "phone"', "one bracketed word"),
        ('placeholder = "[phone]"', 'placeholder = "[card]"', "placeholder [card] used twice"),
        ("digits = [13, 19]", "digits = [19, 13]", "card.digits: fewest 19 > most 13"),
        ("digits = [7, 15]", "digits = [7]", "phone.digits is [fewest, most]"),
        ("luhn = true", "luhn = 1", "card.luhn must be bool"),
        ("luhn = true", "luhn = true\ncolour = 3", "unknown key 'card.colour'"),
        ('cues.en = ["passport"]', 'cues.en = ["Passport"]', "'Passport' is not a lower-case word"),
        ('cues.en = ["passport"]', 'cues.de = ["pass"]', "unknown language 'de'"),
        ('dot.en = ["dot"]', "dot.en = [1]", "1 is not a lower-case word"),
        ("enabled = true\n\n[numbers]", "enable = true\n\n[numbers]", "unknown key 'enable'"),
    ],
)
def test_a_bad_site_file_names_the_line(tmp_path, old, new, message):
    path = site_file(tmp_path, old, new)
    with pytest.raises(DataFileError) as caught:
        load_redaction_config(path)
    text = path.read_text(encoding="utf-8")
    first_new_line = new.splitlines()[-1] if "colour" in new else new.splitlines()[0]
    assert str(caught.value).startswith(f"{path}:{line_of(text, first_new_line)}: ")
    assert message in str(caught.value)


def test_a_missing_key_names_its_table(tmp_path):
    path = site_file(tmp_path, "eager_digits_partial = 2\n", "")
    with pytest.raises(
        DataFileError, match=r"redact.toml:\d+: missing key 'numbers.eager_digits_partial'"
    ):
        load_redaction_config(path)


def test_not_toml_and_no_file(tmp_path):
    path = site_file(tmp_path, "min_digits = 6", "min_digits = = 6")
    with pytest.raises(DataFileError, match=r"redact.toml:\d+: not valid TOML"):
        load_redaction_config(path)
    with pytest.raises(DataFileError, match="cannot read"):
        load_redaction_config(tmp_path / "none.toml")


def test_a_site_file_changes_what_is_hidden(tmp_path):
    path = site_file(tmp_path, "[phone]\nenabled = true", "[phone]\nenabled = false")
    config = load_redaction_config(path)
    redactor = CallRedactor(config, "en")
    text = "my phone is two zero two five five five zero one nine nine"
    event = ev.TranscriptFinal("c", ev.ChannelRole.CUSTOMER, text)
    assert redactor.redact(event).text == "my phone is [account]"  # still hidden, not as a phone
    off = site_file(tmp_path, "enabled = true\n\n[numbers]", "enabled = false\n\n[numbers]")
    assert CallRedactor(load_redaction_config(off), "en").redact(event) is event
