"""Forced alignment of a word sequence to frames: flat start and Viterbi.

Alignments are at the model's output frame rate (every third 10 ms frame,
as vosk evaluates the net with frame-subsampling-factor 3). An utterance's
state sequence is: optional silence, word 1, optional silence, word 2, ...,
optional silence; each block is a left-to-right chain of HMM states.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivr.modelbuild.hmm import SILENCE_PHONE, WordHmm

SUBSAMPLING = 3


def output_frames(num_frames: int) -> int:
    """How many output frames vosk computes for ``num_frames`` input frames."""
    return (num_frames + SUBSAMPLING - 1) // SUBSAMPLING


@dataclass(frozen=True)
class StateSequence:
    pdfs: np.ndarray  # pdf per position
    skip_from: np.ndarray  # position a word start may also be entered from (or -1)
    starts: tuple[int, ...]  # allowed first positions
    ends: tuple[int, ...]  # allowed last positions
    word_spans: tuple[tuple[int, int], ...]  # [first, last] position of each word


def state_sequence(blocks: Sequence[Sequence[int]], hmm: WordHmm) -> StateSequence:
    """Chain the pdfs of each spoken word (``blocks``) with optional silence around them."""
    pdfs: list[int] = []
    skip: list[int] = []
    spans: list[tuple[int, int]] = []
    sil = [hmm.pdf(SILENCE_PHONE, j) for j in range(hmm.num_states(SILENCE_PHONE))]

    def add_silence() -> None:
        pdfs.extend(sil)
        skip.extend([-1] * len(sil))

    add_silence()
    for block in blocks:
        if not block:
            raise ValueError("a word needs at least one state")
        first = len(pdfs)
        for j, pdf in enumerate(block):
            pdfs.append(pdf)
            # A word's first state may be entered past the optional silence before it.
            before_silence = first - len(sil) - 1
            skip.append(before_silence if j == 0 and before_silence >= 0 else -1)
        spans.append((first, len(pdfs) - 1))
        add_silence()
    last = len(pdfs) - 1
    if not blocks:
        return StateSequence(np.array(pdfs), np.array(skip), (0,), (last,), ())
    return StateSequence(
        np.array(pdfs), np.array(skip), (0, len(sil)), (last, last - len(sil)), tuple(spans)
    )


def word_pdfs(hmm: WordHmm, phone: int) -> list[int]:
    return [hmm.pdf(phone, j) for j in range(hmm.num_states(phone))]


def viterbi(loglik: np.ndarray, seq: StateSequence) -> np.ndarray | None:
    """Best position per frame given per-frame pdf log-likelihoods, or None if impossible."""
    num_frames = loglik.shape[0]
    n = len(seq.pdfs)
    scores = loglik[:, seq.pdfs]  # (frames, positions)
    neg = -np.inf
    delta = np.full(n, neg)
    for s in seq.starts:
        delta[s] = scores[0, s]
    back = np.zeros((num_frames, n), dtype=np.int32)
    positions = np.arange(n)
    has_skip = seq.skip_from >= 0
    skip_src = np.where(has_skip, seq.skip_from, 0)
    for t in range(1, num_frames):
        stay = delta
        fwd = np.concatenate(([neg], delta[:-1]))
        jump = np.where(has_skip, delta[skip_src], neg)
        best = np.maximum(np.maximum(stay, fwd), jump)
        src = np.where(stay >= fwd, positions, positions - 1)
        src = np.where(jump > np.maximum(stay, fwd), skip_src, src)
        back[t] = src
        delta = best + scores[t]
    end = max(seq.ends, key=lambda s: delta[s])
    if not np.isfinite(delta[end]):
        return None
    path = np.empty(num_frames, dtype=np.int32)
    path[-1] = end
    for t in range(num_frames - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def flat_alignment(
    seq: StateSequence,
    num_out_frames: int,
    speech_frames: tuple[int, int],
    word_weights: Sequence[float],
) -> np.ndarray | None:
    """Silence outside the speech span; words share it by weight; states split evenly."""
    sil_len = seq.starts[-1] if len(seq.starts) > 1 else len(seq.pdfs)
    path = np.empty(num_out_frames, dtype=np.int32)
    if not seq.word_spans:
        return _split(np.arange(len(seq.pdfs)), num_out_frames)
    start, end = speech_frames
    start = max(0, min(start, num_out_frames))
    end = max(start, min(end, num_out_frames))
    if start < sil_len:  # too little room for the optional leading silence: skip it
        start = 0
    if num_out_frames - end < sil_len:
        end = num_out_frames
    empty = np.zeros(0, dtype=np.int64)
    lead = _split(np.arange(0, sil_len), start) if start else empty
    trail_first = len(seq.pdfs) - sil_len
    trail_frames = num_out_frames - end
    trail = _split(np.arange(trail_first, len(seq.pdfs)), trail_frames) if trail_frames else empty
    weights = np.asarray(word_weights, dtype=np.float64)
    bounds = start + np.round(np.cumsum(np.r_[0.0, weights]) / weights.sum() * (end - start))
    bounds = bounds.astype(int)
    parts = []
    for (first, last), a, b in zip(seq.word_spans, bounds[:-1], bounds[1:], strict=True):
        part = _split(np.arange(first, last + 1), b - a)
        if part is None:
            return None
        parts.append(part)
    if lead is None or trail is None:
        return None
    path[:] = np.concatenate([lead, *parts, trail])
    return path


def _split(positions: np.ndarray, frames: int) -> np.ndarray | None:
    """Spread ``frames`` evenly over ``positions`` (each at least one frame)."""
    if frames < len(positions):
        return None
    idx = (np.arange(frames) * len(positions)) // frames
    return positions[idx]
