"""Word patterns: forms, stems, gaps, spelling rewrites."""

import pytest

from assist.advisor.wording import PatternError, compile_pattern, rewritten, tokenize


def spans(pattern, text, max_gap=1):
    tokens = tokenize(text)
    return [
        " ".join(tokens[p[0] : p[-1] + 1]) for p in compile_pattern(pattern).find(tokens, max_gap)
    ]


def test_tokens_are_normalised():
    assert tokenize("Всё ЕЩЁ не работает — I CAN\u2019T log-in!") == [
        "все",
        "еще",
        "не",
        "работает",
        "i",
        "can't",
        "log",
        "in",
    ]


@pytest.mark.parametrize("word", ["виноват", "виновата", "виноваты"])
def test_brace_alternatives(word):
    assert spans("сами виноват{,а,ы}", f"вы {word.upper()} сами {word}") == [f"сами {word}"]


def test_several_groups_multiply_and_stems_match_prefixes():
    assert spans("{по,}звон{ю,ите}", "позвоните или звоню") == ["позвоните", "звоню"]
    assert spans("заткн*", "да заткнитесь вы") == ["заткнитесь"]
    assert spans("заткн*", "заткать") == []


def test_words_in_order_with_a_limited_gap():
    assert spans("i can't do anything", "i uh can't do anything") == ["i uh can't do anything"]
    assert spans("i can't do anything", "i uh um can't do anything") == []
    assert spans("i can't do anything", "i uh um can't do anything", max_gap=2) == [
        "i uh um can't do anything"
    ]
    assert spans("do anything i can't", "i can't do anything") == []


def test_a_failed_first_choice_does_not_hide_a_later_match():
    # "help" right after the first "can't" fails; the second one matches.
    assert spans("can't help you", "i can't i can't help you") == ["can't help you"]


def test_matches_do_not_overlap_and_all_are_found():
    assert spans("calm down", "calm down please calm down") == ["calm down", "calm down"]


def test_rewrites_collapse_spellings_and_keep_the_source_span():
    rules = {("can", "not"): "can't", ("cannot",): "can't"}
    out = rewritten(["i", "can", "not", "help", "cannot"], rules)
    assert out == [("i", 0, 0), ("can't", 1, 2), ("help", 3, 3), ("can't", 4, 4)]


@pytest.mark.parametrize("bad", ["", "a{b", "x1", "{,}", "*"])
def test_bad_patterns_are_refused(bad):
    with pytest.raises(PatternError):
        compile_pattern(bad)
