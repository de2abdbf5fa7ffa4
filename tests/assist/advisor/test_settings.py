"""The advisor's settings file."""

import re

import pytest

from assist.advisor import CODED_TRIGGERS, CUE_TRIGGERS, known_triggers, load_advisor_settings
from ivr.datafile import DataFileError


def test_defaults_load():
    s = load_advisor_settings()
    assert s.screen.max_cards == 2
    assert s.agent_voice.talk_over_s == pytest.approx(1.5)
    assert s.agent_voice.baseline_voiced_s == pytest.approx(10.0)
    assert s.preference.angry[0] == "empathy"


def test_a_site_file_changes_only_its_keys(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text("[choice]\ncooldown_s = 9\n\n[screen]\nmax_cards = 1\n", encoding="utf-8")
    s, d = load_advisor_settings(path), load_advisor_settings()
    assert (s.choice.cooldown_s, s.screen.max_cards) == (9.0, 1)
    assert s.choice.min_gap_s == d.choice.min_gap_s and s.agent_voice == d.agent_voice


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[choice]\ncooldown_s = -1\n", 2, "choice.cooldown_s: -1 is outside 0..600"),
        ("[screen]\n\nmax_cards = 1.5\n", 3, "screen.max_cards: must be a whole number"),
        ("[cues]\nrepeat_s = true\n", 2, "cues.repeat_s: must be a number"),
        ("[choice]\ncooldown = 5\n", 2, "unknown key\\(s\\) \\['cooldown'\\] in \\[choice\\]"),
        (
            '[preference]\nangry = ["empathy", "smugness"]\n',
            2,
            "preference.angry: unknown principle",
        ),
        ("[advice]\nx = 1\n", 1, "unknown section\\(s\\) \\['advice'\\]"),
        (
            '[choice]\nmin_gap_s = 1\nanswer_first = ["manager", "bilingual"]\n',
            3,
            "choice.answer_first: unknown trigger\\(s\\) \\['bilingual'\\]",
        ),
        (
            '[choice]\n\ntie_order = ["insult", "insult"]\n',
            3,
            "choice.tie_order: lists a trigger twice",
        ),
        ('[triggers]\nrudeness = "agent_words"\n', 2, "triggers.rudeness: 'agent_words'"),
    ],
)
def test_errors_name_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"^{re.escape(str(path))}:{line}: {message}"):
        load_advisor_settings(path)


def test_trigger_names_are_data_a_site_can_add(tmp_path):
    """A name [triggers] gives a reason kind is a trigger the choice lists may
    order; only the coded ones (rising, outage, waiting, the behaviour cues)
    exist without it."""
    path = tmp_path / "site.toml"
    path.write_text(
        '[triggers]\nroaming = "roaming_bill"\n\n'
        '[choice]\ntie_order = ["roaming_bill", "insult"]\nanswer_first = ["roaming_bill"]\n',
        encoding="utf-8",
    )
    site = load_advisor_settings(path)
    assert site.triggers["roaming"] == "roaming_bill"
    assert site.choice.tie_order == ("roaming_bill", "insult")
    assert site.choice.answer_first == ("roaming_bill",)
    known = set(known_triggers())  # the shipped settings: every [triggers] name and the coded
    assert {*CODED_TRIGGERS, *CUE_TRIGGERS} <= known
    assert set(load_advisor_settings().triggers.values()) <= known
    assert "roaming_bill" not in known
