from __future__ import annotations

import math

import pytest

from ivr.modelbuild.lm import SENTENCE_START, estimate_bigram
from ivr.modelbuild.vocab import UNK_WORD

VOCAB = ["i", "want", "to", "two", "pay", "one"]
CORPUS = [
    ["i", "want", "to", "pay"],
    ["i", "want", "to", "talk"],  # "talk" is not in the vocabulary: it counts as [unk]
    ["one", "two", "one"],
]


def test_every_word_has_a_unigram_and_they_sum_to_one() -> None:
    lm = estimate_bigram(CORPUS, VOCAB)
    assert set(lm.unigram) == {*VOCAB, UNK_WORD}
    assert math.isclose(sum(math.exp(-c) for c in lm.unigram.values()), 1.0)


def test_each_history_is_a_distribution() -> None:
    lm = estimate_bigram(CORPUS, VOCAB)
    for history in lm.backoff:
        seen = [w for (h, w) in lm.bigram if h == history]
        unseen = [w for w in lm.unigram if w not in seen]
        total = sum(math.exp(-lm.bigram[(history, w)]) for w in seen) + sum(
            math.exp(-lm.backoff[history] - lm.unigram[w]) for w in unseen
        )
        assert math.isclose(total, 1.0, rel_tol=1e-9), history


def test_context_decides_between_words_that_sound_alike() -> None:
    lm = estimate_bigram(CORPUS, VOCAB)
    assert lm.cost("want", "to") < lm.cost("want", "two")
    assert lm.cost("one", "two") < lm.cost("one", "to")
    assert lm.sentence_cost(["i", "want", "to", "pay"]) < lm.sentence_cost(
        ["i", "want", "two", "pay"]
    )


def test_unseen_pairs_stay_possible_and_oov_words_are_unk() -> None:
    lm = estimate_bigram(CORPUS, VOCAB)
    assert ("to", UNK_WORD) in lm.bigram and ("to", "talk") not in lm.bigram
    assert math.isfinite(lm.cost("pay", "i")) and math.isfinite(lm.cost(SENTENCE_START, "pay"))
    assert lm.cost(SENTENCE_START, "i") < lm.cost(SENTENCE_START, "pay")


def test_no_corpus_is_a_uniform_loop() -> None:
    lm = estimate_bigram([], VOCAB)
    assert not lm.bigram and not lm.backoff
    assert len({round(c, 9) for c in lm.unigram.values()}) == 1


def test_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="discount"):
        estimate_bigram(CORPUS, VOCAB, discount=1.0)
    with pytest.raises(ValueError, match="unigram_weight"):
        estimate_bigram(CORPUS, VOCAB, unigram_weight=1.0)
    with pytest.raises(ValueError, match="empty"):
        estimate_bigram(CORPUS, [])
