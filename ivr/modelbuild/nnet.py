"""A small feed-forward acoustic model in numpy: spliced MFCCs -> ReLU layers -> pdfs.

Trained with cross-entropy and Adam on frame labels from forced alignment.
Exported to nnet3 with the input normalisation folded into the first layer.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from ivr.modelbuild.kaldi_text import NnetSpec


def splice_index(num_frames: int, frames: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Row indices of the context of each frame, repeating edge frames like Kaldi."""
    return np.clip(frames[:, None] + offsets[None, :], 0, num_frames - 1)


class MlpAcousticModel:
    def __init__(
        self,
        input_dim: int,
        offsets: Sequence[int],
        hidden: Sequence[int],
        num_outputs: int,
        rng: np.random.Generator,
    ) -> None:
        self.input_dim = input_dim
        self.offsets = np.asarray(offsets, dtype=np.int64)
        dims = [input_dim * len(offsets), *hidden, num_outputs]
        self.weights = [
            (rng.normal(size=(a, b)) * np.sqrt(2.0 / a)).astype(np.float32)
            for a, b in itertools.pairwise(dims)
        ]
        self.biases = [np.zeros(b, dtype=np.float32) for b in dims[1:]]
        self.mean = np.zeros(dims[0], dtype=np.float32)
        self.inv_std = np.ones(dims[0], dtype=np.float32)
        self._m = [np.zeros_like(p) for p in self._params()]
        self._v = [np.zeros_like(p) for p in self._params()]
        self._step = 0

    def _params(self) -> list[np.ndarray]:
        return [*self.weights, *self.biases]

    def set_normalisation(self, feats: np.ndarray) -> None:
        """Per-coefficient mean and deviation, tiled over the splice taps."""
        mean = feats.mean(axis=0)
        std = np.maximum(feats.std(axis=0), 1e-3)
        taps = len(self.offsets)
        self.mean = np.tile(mean, taps).astype(np.float32)
        self.inv_std = np.tile(1.0 / std, taps).astype(np.float32)

    def _forward(
        self, x: np.ndarray, dropout: float = 0.0, rng: np.random.Generator | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        acts = [(x - self.mean) * self.inv_std]
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = acts[-1] @ w + b
            if i < len(self.weights) - 1:
                np.maximum(z, 0.0, out=z)
                if dropout > 0.0 and rng is not None:  # inverted dropout on hidden units
                    keep = rng.random(z.shape, dtype=np.float32) >= dropout
                    z *= keep / np.float32(1.0 - dropout)
            acts.append(z)
        logits = acts.pop()
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return acts, log_probs

    def log_posteriors(self, x: np.ndarray, batch: int = 4096) -> np.ndarray:
        out = [self._forward(x[i : i + batch])[1] for i in range(0, len(x), batch)]
        return np.concatenate(out) if out else np.zeros((0, len(self.biases[-1])), np.float32)

    def train_batch(
        self,
        x: np.ndarray,
        labels: np.ndarray,
        lr: float,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> tuple[float, float]:
        """One Adam step; returns (mean cross-entropy, frame accuracy)."""
        acts, log_probs = self._forward(x, dropout, rng)
        n = len(labels)
        rows = np.arange(n)
        loss = float(-log_probs[rows, labels].mean())
        acc = float((log_probs.argmax(axis=1) == labels).mean())
        grad = np.exp(log_probs)
        grad[rows, labels] -= 1.0
        grad /= n
        grads_w: list[np.ndarray] = []
        grads_b: list[np.ndarray] = []
        for i in range(len(self.weights) - 1, -1, -1):
            grads_w.append(acts[i].T @ grad)
            grads_b.append(grad.sum(axis=0))
            if i > 0:
                grad = grad @ self.weights[i].T
                grad *= acts[i] > 0
        grads = [*reversed(grads_w), *reversed(grads_b)]
        self._adam(grads, lr)
        return loss, acc

    def _adam(self, grads: list[np.ndarray], lr: float) -> None:
        b1, b2, eps = 0.9, 0.999, 1e-8
        self._step += 1
        c1 = 1.0 - b1**self._step
        c2 = 1.0 - b2**self._step
        for p, g, m, v in zip(self._params(), grads, self._m, self._v, strict=True):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            p -= (lr / c1) * m / (np.sqrt(v / c2) + eps)

    def to_spec(self, priors: np.ndarray | None) -> NnetSpec:
        """nnet3 weights (out x in) with normalisation folded into the first layer."""
        w1 = self.weights[0].T.astype(np.float64) * self.inv_std[None, :]
        b1 = self.biases[0].astype(np.float64) - w1 @ self.mean.astype(np.float64)
        weights = [w1] + [w.T.astype(np.float64) for w in self.weights[1:]]
        biases = [b1] + [b.astype(np.float64) for b in self.biases[1:]]
        return NnetSpec(
            self.input_dim,
            tuple(int(o) for o in self.offsets),
            tuple(weights),
            tuple(biases),
            priors,
        )
