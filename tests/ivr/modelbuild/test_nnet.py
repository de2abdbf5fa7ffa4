from __future__ import annotations

import numpy as np

from ivr.modelbuild.nnet import MlpAcousticModel, splice_index


def test_splice_repeats_edge_frames() -> None:
    idx = splice_index(5, np.array([0, 4]), np.array([-2, 0, 2]))
    assert idx.tolist() == [[0, 0, 2], [2, 4, 4]]


def test_learns_a_separable_problem_and_exports_the_same_function() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 5, (3, 4))
    labels = rng.integers(0, 3, 3000)
    feats = (centres[labels] + rng.normal(0, 1, (3000, 4)) + 100.0).astype(np.float32)
    model = MlpAcousticModel(4, (0,), (16,), 3, rng)
    model.set_normalisation(feats)
    for _ in range(3):
        for i in range(0, 3000, 100):
            _, acc = model.train_batch(feats[i : i + 100], labels[i : i + 100], 0.01)
    assert acc > 0.9
    spec = model.to_spec(None)
    # The exported net (normalisation folded in) computes the same log-posteriors.
    h = np.maximum(feats[:10] @ spec.weights[0].T + spec.biases[0], 0.0)
    logits = h @ spec.weights[1].T + spec.biases[1]
    ref = logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True))
    ref -= logits.max(1, keepdims=True)
    assert np.allclose(model.log_posteriors(feats[:10]), ref, atol=1e-3)
