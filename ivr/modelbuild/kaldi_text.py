"""Kaldi text-format writers: TransitionModel and nnet3 AmNnetSimple.

Kaldi reads ``final.mdl`` as text when it does not start with ``\\0B``.
Numbers are written with ``%.7g`` which never yields ``.5``-style tokens
Kaldi's text reader rejects; non-finite values are refused up front.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivr.modelbuild.hmm import WordHmm


def _check_finite(name: str, values: np.ndarray) -> None:
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains nan or inf; Kaldi text format cannot hold it")


def _row(values: np.ndarray) -> str:
    return " ".join(f"{v:.7g}" for v in values.tolist())


def vector_text(values: np.ndarray, name: str = "vector") -> str:
    arr = np.asarray(values, dtype=np.float64).ravel()
    _check_finite(name, arr)
    if arr.size == 0:
        return "[ ]"
    return "[ " + _row(arr) + " ]"


def matrix_text(values: np.ndarray, name: str = "matrix") -> str:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D")
    _check_finite(name, arr)
    if arr.size == 0:
        return "[ ]"
    rows = "\n  ".join(_row(r) for r in arr)
    return "[\n  " + rows + " ]"


def transition_model_text(hmm: WordHmm, self_loop_prob: float = 0.5) -> str:
    """A TransitionModel with one left-to-right topology entry per state count."""
    if not 0.0 < self_loop_prob < 1.0:
        raise ValueError("self_loop_prob must be strictly between 0 and 1")
    by_count: dict[int, list[int]] = {}
    for phone in range(1, hmm.num_phones + 1):
        by_count.setdefault(hmm.num_states(phone), []).append(phone)
    fwd = 1.0 - self_loop_prob
    lines = ["<TransitionModel>", "<Topology>"]
    for count in sorted(by_count):
        lines.append("<TopologyEntry>")
        lines.append("<ForPhones>")
        lines.append(" ".join(str(p) for p in by_count[count]))
        lines.append("</ForPhones>")
        for j in range(count):
            lines.append(
                f"<State> {j} <PdfClass> {j} <Transition> {j} {self_loop_prob:.7g} "
                f"<Transition> {j + 1} {fwd:.7g} </State>"
            )
        lines.append(f"<State> {count} </State>")
        lines.append("</TopologyEntry>")
    lines.append("</Topology>")
    lines.append(f"<Triples> {hmm.num_triples}")
    for phone in range(1, hmm.num_phones + 1):
        for j in range(hmm.num_states(phone)):
            lines.append(f"{phone} {j} {hmm.pdf(phone, j)}")
    lines.append("</Triples>")
    log_probs = np.empty(hmm.num_transition_ids + 1)
    log_probs[0] = 0.0
    log_probs[1::2] = np.log(self_loop_prob)
    log_probs[2::2] = np.log(fwd)
    lines.append("<LogProbs>")
    lines.append(vector_text(log_probs, "transition log-probs"))
    lines.append("</LogProbs>")
    lines.append("</TransitionModel>")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class NnetSpec:
    """A feed-forward net: spliced input, affine layers with ReLU between, log-softmax.

    ``weights[i]`` has shape (out, in); the first layer's input is the
    features at ``splice_offsets`` concatenated in that order.
    """

    input_dim: int
    splice_offsets: tuple[int, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    priors: np.ndarray | None = None

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.biases) or not self.weights:
            raise ValueError("need one bias per weight matrix and at least one layer")
        if 0 not in self.splice_offsets or list(self.splice_offsets) != sorted(
            set(self.splice_offsets)
        ):
            raise ValueError("splice offsets must be sorted, distinct and include 0")
        expected_in = self.input_dim * len(self.splice_offsets)
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if w.shape[1] != expected_in or b.shape != (w.shape[0],):
                raise ValueError(f"layer {i} has shape {w.shape}, expected input {expected_in}")
            expected_in = w.shape[0]

    @property
    def output_dim(self) -> int:
        return int(self.weights[-1].shape[0])


def _splice_descriptor(offsets: Sequence[int]) -> str:
    parts = ["input" if k == 0 else f"Offset(input, {k})" for k in offsets]
    return parts[0] if len(parts) == 1 else "Append(" + ", ".join(parts) + ")"


def nnet_text(spec: NnetSpec) -> str:
    """The nnet3 ``AmNnetSimple`` part of final.mdl."""
    n_layers = len(spec.weights)
    config = [f"input-node name=input dim={spec.input_dim}"]
    components: list[str] = []
    prev = _splice_descriptor(spec.splice_offsets)
    for i, (w, b) in enumerate(zip(spec.weights, spec.biases, strict=True), start=1):
        name = f"affine{i}"
        config.append(f"component-node name={name} component={name} input={prev}")
        components.append(
            f"<ComponentName> {name} <AffineComponent> <LearningRate> 0.001 "
            f"<LinearParams> {matrix_text(w, name)}\n"
            f"<BiasParams> {vector_text(b, name)}\n</AffineComponent>"
        )
        prev = name
        dim = w.shape[0]
        if i < n_layers:
            relu = f"relu{i}"
            config.append(f"component-node name={relu} component={relu} input={prev}")
            components.append(_nonlinear("RectifiedLinearComponent", relu, dim))
            prev = relu
    config.append(f"component-node name=logsoftmax component=logsoftmax input={prev}")
    components.append(_nonlinear("LogSoftmaxComponent", "logsoftmax", spec.output_dim))
    config.append("output-node name=output input=logsoftmax objective=linear")
    priors = np.empty(0) if spec.priors is None else np.asarray(spec.priors)
    if priors.size not in (0, spec.output_dim):
        raise ValueError("priors must be empty or one per output")
    left = -min(spec.splice_offsets)
    right = max(spec.splice_offsets)
    # Kaldi consumes exactly one character after "<Nnet3>", then reads config lines.
    return (
        "<Nnet3> \n"
        + "\n".join(config)
        + "\n\n"
        + f"<NumComponents> {len(components)}\n"
        + "\n".join(components)
        + "\n</Nnet3>\n"
        + f"<LeftContext> {left} <RightContext> {right} "
        + f"<Priors> {vector_text(priors, 'priors')}\n"
    )


def _nonlinear(kind: str, name: str, dim: int) -> str:
    return (
        f"<ComponentName> {name} <{kind}> <Dim> {dim} <ValueAvg> [ ] <DerivAvg> [ ] "
        f"<Count> 0 </{kind}>"
    )


def final_mdl_text(hmm: WordHmm, spec: NnetSpec, self_loop_prob: float = 0.5) -> str:
    if spec.output_dim != hmm.num_pdfs:
        raise ValueError(f"net has {spec.output_dim} outputs but the HMM has {hmm.num_pdfs} pdfs")
    return transition_model_text(hmm, self_loop_prob) + nnet_text(spec)
