"""The shared word-pattern syntax: normalisation, tokens, one written word."""

from __future__ import annotations

import re

import pytest

from assist.wordpatterns import (
    PatternError,
    WordPattern,
    expand_word,
    is_token,
    normalize,
    normalize_word,
    tokenize,
)

# ---------------------------------------------------------------- text


def test_normalize_lowers_reads_yo_as_ye_and_unifies_apostrophes() -> None:
    assert normalize("ЕЩЁ Всё I CAN\u2019T y\u02bcall") == "еще все i can't y'all"


def test_normalize_word_also_drops_quote_marks_at_the_edges() -> None:
    assert normalize_word("\u2019Cause'") == "cause"
    assert normalize_word("rock'n'roll") == "rock'n'roll"


def test_tokens_are_normalised() -> None:
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


def test_tokens_keep_inner_apostrophes_only() -> None:
    assert tokenize("'quoted' word's rock'n'roll x'' ''y") == [
        "quoted",
        "word's",
        "rock'n'roll",
        "x",
        "y",
    ]


def test_digits_and_underscores_split_tokens() -> None:
    assert tokenize("3d a_b 2nd") == ["d", "a", "b", "nd"]


def test_is_token() -> None:
    assert is_token("can't") and is_token("жалоба")
    assert not is_token("no way") and not is_token("log-in") and not is_token("'x")


# ---------------------------------------------------------------- one written word


def test_a_plain_word_is_its_normalised_form() -> None:
    assert expand_word("Ещё") == WordPattern(frozenset({"еще"}))
    assert expand_word("can\u2019t").forms == {"can't"}


def test_brace_alternatives_with_an_empty_one() -> None:
    assert expand_word("complain{,s,ed}").forms == {"complain", "complains", "complained"}
    assert expand_word("виноват{,а,ы}").forms == {"виноват", "виновата", "виноваты"}


def test_several_groups_multiply() -> None:
    assert expand_word("{a,b}{c,d}").forms == {"ac", "ad", "bc", "bd"}
    assert expand_word("{по,}звон{ю,ите}").forms == {"позвоню", "позвоните", "звоню", "звоните"}


def test_spaces_around_alternatives_are_ignored() -> None:
    assert expand_word("x{a, b}").forms == {"xa", "xb"}


def test_a_stem_matches_words_that_start_with_it() -> None:
    star = expand_word("заткн*")
    assert star.forms == frozenset() and star.stems == ("заткн",)
    assert star.matches("заткнитесь") and star.matches("заткн")
    assert not star.matches("заткать")


def test_braces_before_a_star_give_several_stems() -> None:
    assert expand_word("a{b,c}{,d}*").stems == ("ab", "abd", "ac", "acd")


def test_a_stem_may_end_in_an_apostrophe() -> None:
    stem = expand_word("don'*")
    assert stem.matches("don't") and not stem.matches("done")


def test_canonical_form_takes_the_first_alternatives() -> None:
    assert expand_word("жалоб{у,а,ы}").canonical == "жалобу"
    assert expand_word("{,по}звон{ю,ите}").canonical == "звоню"
    assert expand_word("безобраз{н,}*").canonical == "безобразн"


def test_quote_marks_at_the_edges_are_dropped_as_in_text() -> None:
    # tokenize("'cause") is ["cause"], so the written word means the same token.
    assert expand_word("'cause").forms == {"cause"}
    assert expand_word("dogs'").forms == {"dogs"}


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("", "not a word pattern"),
        ("*", "not a word pattern"),
        ("two words", "not a word pattern"),
        ("x{a", "not a word pattern"),
        ("{a{b}}", "not a word pattern"),
        ("abc1", "not a word pattern"),
        ("a*b", "not a word pattern"),
        ("'", "not a word pattern"),
        ("log-in", "a hyphen splits words"),
        ("{,}", "empty word"),
        ("{}", "empty word"),
        ("{,a}*", "empty word"),
        ("a'{,b}", '"a\'", which is not a word'),
        ("{',}a", '"\'a", which is not a word'),
        ("a''b", "which is not a word"),
        ("a''*", "which no word starts with"),
    ],
)
def test_words_that_could_never_match_are_refused(bad: str, why: str) -> None:
    with pytest.raises(PatternError, match=re.escape(why)) as info:
        expand_word(bad)
    assert isinstance(info.value, ValueError)
    assert repr(bad) in str(info.value)  # names the word as written
