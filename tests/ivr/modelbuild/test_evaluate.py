from __future__ import annotations

from ivr.modelbuild.evaluate import edit_distance, word_error_rate


def test_edit_distance_counts_each_kind_of_error() -> None:
    ref = "a b c d".split()
    assert edit_distance(ref, ref) == 0
    assert edit_distance(ref, "a x c d".split()) == 1  # substitution
    assert edit_distance(ref, "a b c".split()) == 1  # deletion
    assert edit_distance(ref, "a b b c d".split()) == 1  # insertion
    assert edit_distance([], ["a"]) == 1 and edit_distance(["a"], []) == 1


def test_word_error_rate_pools_over_utterances() -> None:
    pairs = [("a b".split(), "a".split()), ("c d e".split(), "c d e f".split())]
    assert word_error_rate(pairs) == 2 / 5
    assert word_error_rate([]) == 0.0
