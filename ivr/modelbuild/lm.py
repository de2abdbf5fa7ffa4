"""A backoff word bigram estimated from a small domain text corpus.

Absolute discounting with backoff to a unigram that is itself mixed with a
uniform distribution over the vocabulary: every vocabulary word stays
possible after any word (the free word loop is the backoff), words the
corpus never uses are only mildly penalised, and frequent word pairs of the
domain ("thank you", "my internet") become cheaper. Corpus words outside
the vocabulary count as ``[unk]``, so the garbage word gets context too.

All costs are negative natural logarithms (as in Kaldi graphs).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ivr.modelbuild.vocab import UNK_WORD

SENTENCE_START = "<s>"


@dataclass(frozen=True)
class BigramLm:
    """``unigram[w]`` for every vocabulary word and ``[unk]``; ``bigram[(h, w)]`` for
    pairs seen in the corpus (``h`` may be ``<s>``); ``backoff[h]`` for every history
    with bigrams. A history without bigrams backs off at no cost."""

    unigram: dict[str, float]
    bigram: dict[tuple[str, str], float]
    backoff: dict[str, float]

    def cost(self, history: str, word: str) -> float:
        """Cost of ``word`` after ``history`` (through the backoff when unseen)."""
        if (history, word) in self.bigram:
            return self.bigram[(history, word)]
        return self.backoff.get(history, 0.0) + self.unigram[word]

    def sentence_cost(self, words: Sequence[str]) -> float:
        total, history = 0.0, SENTENCE_START
        for word in words:
            total += self.cost(history, word)
            history = word
        return total


def estimate_bigram(
    sentences: Iterable[Sequence[str]],
    vocab: Sequence[str],
    *,
    discount: float = 0.7,
    unigram_weight: float = 0.5,
) -> BigramLm:
    """Bigram over ``vocab`` + ``[unk]`` from ``sentences`` (lists of normalised words).

    ``discount`` (0..1) is subtracted from every seen pair count; ``unigram_weight``
    is the share of the corpus unigram in the backoff distribution (the rest is
    uniform over the vocabulary).
    """
    if not 0.0 < discount < 1.0:
        raise ValueError("discount must be between 0 and 1")
    if not 0.0 <= unigram_weight < 1.0:
        raise ValueError("unigram_weight must be at least 0 and below 1")
    known = set(vocab)
    if not known:
        raise ValueError("the vocabulary is empty")
    tokens = [*dict.fromkeys(vocab), UNK_WORD]
    unigrams: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for sentence in sentences:
        history = SENTENCE_START
        for raw in sentence:
            word = raw if raw in known else UNK_WORD
            unigrams[word] += 1
            pairs[(history, word)] += 1
            history = word
    total = sum(unigrams.values())
    uniform = 1.0 / len(tokens)
    p_uni = {
        w: unigram_weight * (unigrams[w] / total if total else 0.0)
        + (1.0 - unigram_weight) * uniform
        for w in tokens
    }
    if total == 0:  # no corpus: every word equally likely, no bigrams
        p_uni = dict.fromkeys(tokens, uniform)
    history_counts: Counter[str] = Counter()
    followers: Counter[str] = Counter()
    for (h, _w), n in pairs.items():
        history_counts[h] += n
        followers[h] += 1
    bigram: dict[tuple[str, str], float] = {}
    seen_mass: Counter[str] = Counter()
    for (h, w), n in pairs.items():
        bigram[(h, w)] = -math.log((n - discount) / history_counts[h])
        seen_mass[h] += p_uni[w]
    backoff: dict[str, float] = {}
    for h, count in history_counts.items():
        left = discount * followers[h] / count
        # Only the unseen words' share of the unigram is reachable through the
        # backoff in a proper model; seen words also get it here (a WFST backoff
        # arc is always open), a standard approximation.
        backoff[h] = -math.log(left / max(1.0 - seen_mass[h], 1e-6))
    unigram = {w: -math.log(p) for w, p in p_uni.items()}
    return BigramLm(unigram, bigram, backoff)
