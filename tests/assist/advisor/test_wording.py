"""Word patterns: several words in order with gaps, spelling rewrites. The
syntax of one word is tested in tests/assist/test_wordpatterns.py."""

import pytest

from assist.advisor.wording import PatternError, compile_pattern, rewritten, tokenize
from assist.wordpatterns import expand_word


def spans(pattern, text, max_gap=1):
    tokens = tokenize(text)
    return [
        " ".join(tokens[p[0] : p[-1] + 1]) for p in compile_pattern(pattern).find(tokens, max_gap)
    ]


def test_each_word_of_a_pattern_is_expanded():
    pattern = compile_pattern("Сами  виноват{,а,ы} заткн*")
    assert pattern.text == "Сами  виноват{,а,ы} заткн*"
    assert pattern.slots == tuple(expand_word(w) for w in ("сами", "виноват{,а,ы}", "заткн*"))


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


@pytest.mark.parametrize("bad", ["", "   ", "fine a{b", "x1 fine"])
def test_bad_patterns_are_refused(bad):
    with pytest.raises(PatternError):
        compile_pattern(bad)
