from __future__ import annotations

import numpy as np

from ivr.modelbuild.align import output_frames, state_sequence, viterbi, word_pdfs
from ivr.modelbuild.corpus import CorpusSize, plan_corpus
from ivr.modelbuild.dataset import Utterance
from ivr.modelbuild.hmm import WordHmm
from ivr.modelbuild.nnet import MlpAcousticModel, splice_index
from ivr.modelbuild.train import _realign

HMM = WordHmm((3, 4, 3))  # silence, two words


def _corpus(rng: np.random.Generator) -> tuple[list[Utterance], np.ndarray, np.ndarray]:
    specs = plan_corpus("en", ["yes", "no"], [], CorpusSize(4, 0, 0, 0.0, 0, 0), seed=1)
    utts = [
        Utterance(spec, rng.normal(size=(int(rng.integers(40, 90)), 5)).astype(np.float32), (0, 0))
        for spec in specs
    ]
    feats = np.concatenate([u.feats for u in utts])
    starts = np.cumsum([0] + [u.feats.shape[0] for u in utts[:-1]])
    return utts, feats, starts


def test_realign_in_chunks_matches_aligning_each_utterance_alone() -> None:
    rng = np.random.default_rng(0)
    utts, feats, starts = _corpus(rng)
    model = MlpAcousticModel(5, (-2, 0, 2), (16,), HMM.num_pdfs, rng)
    priors = rng.uniform(0.5, 1.5, HMM.num_pdfs)
    priors /= priors.sum()
    seqs = [
        state_sequence([word_pdfs(HMM, 2 if u.spec.words == ("yes",) else 3)], HMM) for u in utts
    ]
    expected = []
    for u, seq in zip(utts, seqs, strict=True):
        n = u.feats.shape[0]
        frames = np.minimum(np.arange(output_frames(n)) * 3, n - 1)
        x = u.feats[splice_index(n, frames, model.offsets)].reshape(len(frames), -1)
        expected.append(viterbi(model.log_posteriors(x) - np.log(priors), seq))
    for chunk_frames in (1, 50, 10**6):  # one utterance per chunk, a few, all at once
        got = _realign(model, feats, starts, utts, seqs, priors, chunk_frames)
        assert len(got) == len(utts)
        for a, b in zip(got, expected, strict=True):
            assert a is not None and b is not None and np.array_equal(a, b)
