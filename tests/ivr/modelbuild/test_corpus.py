from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ivr.modelbuild.corpus import (
    KIND_GARBAGE,
    KIND_NOISE,
    KIND_PHRASE,
    KIND_SENTENCE,
    KIND_WORD,
    CorpusSize,
    plan_corpus,
    render,
)
from ivr.modelbuild.vocab import UNK_WORD
from ivr.modelbuild.voices import HELD_OUT_VARIANTS

VOCAB = ["один", "два", "три", "да", "нет"]
GARBAGE = ["дом", "кошка", "река"]
SIZE = CorpusSize(4, 6, 5, 0.5, 3, 0)


def test_plan_is_deterministic_and_balanced() -> None:
    a = plan_corpus("ru", VOCAB, GARBAGE, SIZE, seed=3)
    assert a == plan_corpus("ru", VOCAB, GARBAGE, SIZE, seed=3)
    assert a != plan_corpus("ru", VOCAB, GARBAGE, SIZE, seed=4)
    kinds = Counter(s.kind for s in a)
    assert kinds[KIND_WORD] == 4 * len(VOCAB) and kinds[KIND_GARBAGE] == 5
    assert kinds[KIND_NOISE] == 3
    in_phrases = Counter(w for s in a if s.kind == KIND_PHRASE for w in s.labels)
    assert all(in_phrases[w] == 6 for w in VOCAB)
    for spec in a:
        assert len(spec.words) == len(spec.labels)
        for word, label in zip(spec.words, spec.labels, strict=True):
            assert label == word or (label == UNK_WORD and word in GARBAGE)


def test_domain_sentences_are_spoken_whole_with_unknown_words_as_unk() -> None:
    sentences = [["да", "спасибо"], ["нет", "два", "раза"]]
    size = CorpusSize(1, 1, 0, 0.0, 0, 0, sentence_renderings=3)
    plan = plan_corpus("ru", VOCAB, GARBAGE, size, seed=2, sentences=sentences)
    spoken = [s for s in plan if s.kind == KIND_SENTENCE]
    assert Counter(s.words for s in spoken) == {("да", "спасибо"): 3, ("нет", "два", "раза"): 3}
    assert {s.labels for s in spoken} == {("да", UNK_WORD), ("нет", "два", UNK_WORD)}
    assert len({s.style for s in spoken}) == 6  # each rendering in its own voice and manner


def test_held_out_variants_never_train() -> None:
    plan = plan_corpus("en", ["yes", "no"], ["house"], CorpusSize(30, 30, 30, 0.5, 0, 0), 1)
    variants = {s.style.voice.partition("+")[2] for s in plan}
    assert not variants & set(HELD_OUT_VARIANTS)
    assert "" in variants and len(variants) > 5


@pytest.mark.usefixtures("espeak")
def test_render_is_repeatable_and_locates_speech() -> None:
    spec = next(s for s in plan_corpus("ru", VOCAB, GARBAGE, SIZE, seed=5) if s.kind == KIND_WORD)
    audio, (start_s, end_s) = render(spec)
    again, _ = render(spec)
    assert np.array_equal(audio, again)
    assert spec.channel.lead_s - 0.02 <= start_s < end_s <= len(audio) / 16000
