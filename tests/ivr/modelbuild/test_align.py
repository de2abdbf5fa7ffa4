from __future__ import annotations

import numpy as np

from ivr.modelbuild.align import flat_alignment, state_sequence, viterbi, word_pdfs
from ivr.modelbuild.hmm import WordHmm

HMM = WordHmm((2, 3, 2))  # silence, word A (3 states), word B (2 states)


def _loglik(pdf_per_frame: list[int]) -> np.ndarray:
    ll = np.full((len(pdf_per_frame), HMM.num_pdfs), -10.0)
    ll[np.arange(len(pdf_per_frame)), pdf_per_frame] = 0.0
    return ll


def test_viterbi_recovers_a_known_path_with_and_without_silence() -> None:
    seq = state_sequence([word_pdfs(HMM, 2), word_pdfs(HMM, 3)], HMM)
    truth = [0, 1, 2, 2, 3, 4, 4, 5, 6, 0, 1]  # sil, A, B (no pause between), sil
    path = viterbi(_loglik(truth), seq)
    assert path is not None
    assert seq.pdfs[path].tolist() == truth
    no_sil = [2, 3, 4, 5, 6, 6]
    path = viterbi(_loglik(no_sil), seq)
    assert path is not None and seq.pdfs[path].tolist() == no_sil


def test_viterbi_reports_impossible_alignments() -> None:
    seq = state_sequence([word_pdfs(HMM, 2), word_pdfs(HMM, 3)], HMM)
    assert viterbi(_loglik([2, 3, 4]), seq) is None  # five states cannot fit three frames


def test_flat_alignment_splits_speech_by_weight() -> None:
    seq = state_sequence([word_pdfs(HMM, 2), word_pdfs(HMM, 3)], HMM)
    path = flat_alignment(seq, 20, (4, 16), [3.0, 1.0])
    assert path is not None
    pdfs = seq.pdfs[path].tolist()
    assert pdfs[:4] == [0, 0, 1, 1] and pdfs[16:] == [0, 0, 1, 1]
    assert pdfs[4:13] == sorted(pdfs[4:13]) and set(pdfs[4:13]) == {2, 3, 4}
    assert set(pdfs[13:16]) == {5, 6}
    assert flat_alignment(seq, 20, (4, 7), [1.0, 1.0]) is None
