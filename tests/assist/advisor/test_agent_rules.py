"""What the agent should not say: the warning files of both languages."""

import re

import pytest

from assist.advisor import PRINCIPLES, load_agent_rules
from ivr import events as ev
from ivr.datafile import DataFileError


def heard(lang, text, confs=None, min_conf=0.5):
    """(rule id, principle) of every rule the agent's utterance breaks."""
    rules = load_agent_rules(lang)
    words = ()
    if confs is not None:
        words = tuple(
            ev.Word(w, i * 0.3, i * 0.3 + 0.25, c)
            for i, (w, c) in enumerate(zip(text.split(), confs, strict=True))
        )
    final = ev.TranscriptFinal("c", ev.ChannelRole.AGENT, text, words)
    return [(h.rule.rule_id, h.rule.principle) for h in rules.check(rules.tokens(final), min_conf)]


@pytest.mark.parametrize(
    ("lang", "text", "rule", "principle"),
    [
        ("en", "I'm sorry but I can't do anything about that", "en-agent-cant", "can_solve"),
        ("en", "I cannot do anything for you", "en-agent-cant", "can_solve"),
        ("en", "there is nothing I can do", "en-agent-cant", "can_solve"),
        ("en", "that is not my department", "en-agent-not-mine", "respect"),
        ("en", "you'll have to call another number", "en-agent-not-mine", "respect"),
        ("en", "well you did it wrong yourself", "en-agent-blame", "praise"),
        ("en", "that's your own fault", "en-agent-blame", "praise"),
        ("en", "sir please calm down", "en-agent-calm-down", "empathy"),
        ("en", "don't shout at me", "en-agent-shouting-back", "not_personal"),
        ("en", "as I said before the router", "en-agent-ego", "no_ego"),
        ("en", "oh shut up", "en-agent-rude", "first_line"),
        ("en", "could you get to the point", "en-agent-rush", "patience"),
        ("en", "absolutely not", "en-agent-flat-no", "polite_no"),
        ("ru", "я ничего не могу сделать", "ru-agent-cant", "can_solve"),
        ("ru", "к сожалению ничем не могу вам помочь", "ru-agent-cant", "can_solve"),
        ("ru", "Это не ко мне", "ru-agent-not-mine", "respect"),
        ("ru", "звоните в другой отдел", "ru-agent-not-mine", "respect"),
        ("ru", "вы сами виноваты", "ru-agent-blame", "praise"),
        ("ru", "вы неправильно подключили роутер", "ru-agent-blame", "praise"),
        ("ru", "успокойтесь пожалуйста", "ru-agent-calm-down", "empathy"),
        ("ru", "не надо кричать", "ru-agent-shouting-back", "not_personal"),
        ("ru", "я же вам объясняла", "ru-agent-ego", "no_ego"),
        ("ru", "да заткнитесь вы", "ru-agent-rude", "first_line"),
        ("ru", "у меня нет времени", "ru-agent-rush", "patience"),
        ("ru", "это исключено", "ru-agent-flat-no", "polite_no"),
    ],
)
def test_words_the_seeds_warn_against(lang, text, rule, principle):
    assert heard(lang, text)[:1] == [(rule, principle)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I can't wait to help you with this"),
        ("en", "there's nothing I can't fix here"),
        ("en", "it's not your fault at all"),
        ("en", "once things calm down on the network it will work"),
        ("en", "let me see what I can do for you right now"),
        ("en", "I understand, I'm sorry, let's sort it out together"),
        ("en", "don't forget it's due on Monday"),
        ("en", "there's no way to lose your data"),
        ("en", "thank you for waiting, you did the right thing"),
        ("ru", "не волнуйтесь, сейчас всё исправим"),
        ("ru", "я вас понимаю, давайте разберёмся вместе"),
        ("ru", "мне всё равно, во сколько вам удобно"),
        ("ru", "это не ваша вина"),
        ("ru", "не за что, обращайтесь"),
        ("ru", "я могу вам помочь прямо сейчас"),
        ("ru", "вы правильно сделали, что перезагрузили роутер"),
    ],
)
def test_polite_speech_raises_nothing(lang, text):
    assert heard(lang, text) == []


def test_low_confidence_words_do_not_count():
    text = "please calm down"
    assert heard("en", text, confs=[0.9, 0.95, 0.9]) == [("en-agent-calm-down", "empathy")]
    assert heard("en", text, confs=[0.9, 0.3, 0.9]) == []
    # a noisy word inside the gap does not spoil a confident match
    assert heard("en", "i uh can't do anything", confs=[0.9, 0.2, 0.9, 0.9, 0.9])[:1] == [
        ("en-agent-cant", "can_solve")
    ]


def test_every_rule_names_a_principle_and_offers_a_better_line():
    for lang in ("en", "ru"):
        rules = load_agent_rules(lang)
        assert len(rules.rules) >= 8
        for rule in rules.rules:
            assert rule.principle in PRINCIPLES
            assert re.search('[«"“]', rule.text), rule.rule_id  # a quoted alternative
        assert (
            rules.talk_over.principle in PRINCIPLES and rules.voice_rising.principle in PRINCIPLES
        )


def test_vocabulary_lists_the_spelled_out_forms():
    words = load_agent_rules("ru").vocabulary()
    assert {"успокойтесь", "виноваты", "ничем"} <= set(words)
    assert not any("*" in w or " " in w for w in words)


VALID_TAIL = (
    '[talk_over]\nprinciple = "respect"\ntext = "t"\n'
    '[voice_rising]\nprinciple = "patience"\ntext = "v"\n'
)


def write(tmp_path, text):
    path = tmp_path / "warnings.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            VALID_TAIL + '[[warning]]\nid = "a"\nprinciple = "respect"\ntext = "x"\n'
            'patterns = [\n  "fine",\n  "bad{",\n]\n',
            13,
            "warning #1: patterns: 'bad{' is not a word pattern",
        ),
        (
            VALID_TAIL
            + '[[warning]]\nid = "a"\nprinciple = "rudeness"\ntext = "x"\npatterns = ["x"]\n',
            9,
            "warning #1: unknown principle 'rudeness'",
        ),
        (
            '[normalize]\n"cannot" = "can\'t"\n'
            + VALID_TAIL
            + '[[warning]]\nid = "a"\nprinciple = "respect"\ntext = "x"\npatterns = ["i cannot"]\n',
            13,
            "warning #1: patterns: 'i cannot' uses 'cannot', which is rewritten before matching",
        ),
        (
            '[talk_over]\nprinciple = "respect"\n'
            + '[[warning]]\nid = "a"\nprinciple = "respect"\ntext = "x"\npatterns = ["x"]\n',
            1,
            "\\[talk_over\\] 'text' must be a non-empty string",
        ),
        (
            "[matching]\nmax_gap = 7\n"
            + VALID_TAIL
            + '[[warning]]\nid = "a"\nprinciple = "respect"\ntext = "x"\npatterns = ["x"]\n',
            2,
            "max_gap must be a whole number 0..3",
        ),
    ],
)
def test_warning_files_are_validated_with_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(DataFileError, match=rf"^{re.escape(str(path))}:{line}: ({message})"):
        load_agent_rules("en", path)
