"""A vosk model with random weights: loads and streams, recognises nothing.

Other code needs a real vosk model to exercise its plumbing (streaming,
partial/final results, word timings, 8 kHz input) in a second, without any
training; this is it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ivr.modelbuild.conf import DEFAULT_MFCC_OPTIONS
from ivr.modelbuild.graph import GraphCosts
from ivr.modelbuild.hmm import WordHmm
from ivr.modelbuild.kaldi_text import NnetSpec
from ivr.modelbuild.vocab import normalise_vocabulary
from ivr.modelbuild.writer import ModelParts, write_model_dir

RANDOM_README = """# Random-weight vosk model

This directory was written by the ivr-assist model builder with **random
acoustic weights**. It has the structure of a real vosk model (whole-word
units, a free word loop with optional silence) and vosk loads and streams
through it, producing partial and final results with word timings, but the
words it outputs are **meaningless**. It exists only to test audio and
recogniser plumbing. It is not a speech model of any kind.

Vocabulary: {num_words} words. Seed: {seed}. Sample rate: {rate_hz} Hz.
"""


def _states_for(word: str) -> int:
    return min(8, max(3, 2 + len(word) // 2))


def write_random_model(
    out_dir: Path, words: Sequence[str], *, rate_hz: int = 16000, seed: int = 0
) -> Path:
    """Write a complete random-weight vosk model directory and return its path."""
    if rate_hz not in (8000, 16000):
        raise ValueError(f"rate_hz must be 8000 or 16000, got {rate_hz}")
    vocab = normalise_vocabulary(words)
    rng = np.random.default_rng(seed)
    hmm = WordHmm((3, *(_states_for(w) for w in vocab)))
    mfcc_options = dict(DEFAULT_MFCC_OPTIONS)
    mfcc_options["sample-frequency"] = str(rate_hz)
    input_dim = int(mfcc_options["num-ceps"])
    offsets = (-1, 0, 1)
    hidden = 64
    w1 = rng.normal(0.0, 0.05, (hidden, input_dim * len(offsets)))
    b1 = rng.normal(0.0, 0.1, hidden)
    w2 = rng.normal(0.0, 0.6, (hmm.num_pdfs, hidden))
    b2 = np.zeros(hmm.num_pdfs)
    net = NnetSpec(input_dim, offsets, (w1, w2), (b1, b2))
    parts = ModelParts(
        words=tuple(vocab),
        word_phones=tuple(range(2, len(vocab) + 2)),
        hmm=hmm,
        net=net,
        mfcc_options=mfcc_options,
        model_options={},
        graph_costs=GraphCosts(),
        readme=RANDOM_README.format(num_words=len(vocab), seed=seed, rate_hz=rate_hz),
    )
    return write_model_dir(Path(out_dir), parts)
