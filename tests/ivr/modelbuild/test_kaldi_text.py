from __future__ import annotations

import re

import numpy as np
import pytest

from ivr.modelbuild.hmm import WordHmm
from ivr.modelbuild.kaldi_text import NnetSpec, final_mdl_text, transition_model_text


def _spec(outputs: int, priors: np.ndarray | None = None) -> NnetSpec:
    rng = np.random.default_rng(0)
    w1 = rng.normal(size=(4, 6)) * 1e-6  # tiny values must still print as valid tokens
    w2 = rng.normal(size=(outputs, 4))
    return NnetSpec(2, (-1, 0, 1), (w1, w2), (np.full(4, 0.5), np.zeros(outputs)), priors)


def test_transition_model_counts() -> None:
    hmm = WordHmm((3, 2, 4, 2))
    text = transition_model_text(hmm)
    assert "<Triples> 11" in text
    assert text.count("<TopologyEntry>") == 3
    log_probs = re.search(r"<LogProbs>\s*\[([^\]]*)\]", text)
    assert log_probs is not None
    assert len(log_probs.group(1).split()) == hmm.num_transition_ids + 1
    assert hmm.self_loop_tid(2, 1) == 2 * 4 + 1 and hmm.forward_tid(2, 1) == 10
    assert hmm.pdf(2, 1) == 4


def test_shared_pdfs_keep_distinct_transition_ids() -> None:
    hmm = WordHmm((3, 1, 1, 1), pdf_owner=(1, 2, 2, 2))
    assert hmm.num_pdfs == 4 and hmm.num_triples == 6
    assert hmm.pdf(3, 0) == hmm.pdf(4, 0) == hmm.pdf(2, 0) == 3
    assert len({hmm.forward_tid(p, 0) for p in (2, 3, 4)}) == 3
    text = transition_model_text(hmm)
    assert "<Triples> 6" in text and "\n4 0 3\n" in text
    with pytest.raises(ValueError, match="owner"):
        WordHmm((3, 1, 2), pdf_owner=(1, 2, 2))


def test_nnet_text_structure_and_numbers() -> None:
    hmm = WordHmm((3, 2))
    text = final_mdl_text(hmm, _spec(5, np.full(5, 0.2)))
    assert "<Nnet3> \ninput-node name=input dim=2\n" in text
    assert "Append(Offset(input, -1), input, Offset(input, 1))" in text
    assert "<LeftContext> 1 <RightContext> 1" in text
    for token in re.findall(r"(?<![\w<])[-.\d][\w.+-]*", text):
        assert not token.startswith(".") and not token.startswith("-."), token


def test_mismatched_shapes_and_values_rejected() -> None:
    with pytest.raises(ValueError, match="pdfs"):
        final_mdl_text(WordHmm((3, 2)), _spec(4))
    bad = _spec(5)
    bad.weights[1][0, 0] = np.nan
    with pytest.raises(ValueError, match="nan"):
        final_mdl_text(WordHmm((3, 2)), bad)
    with pytest.raises(ValueError, match="splice"):
        NnetSpec(2, (1, 0), (np.zeros((3, 4)),), (np.zeros(3),))
