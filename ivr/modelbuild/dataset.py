"""Render the planned corpus into MFCC features, in parallel worker processes."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ivr.modelbuild.corpus import UtteranceSpec, render
from ivr.modelbuild.features import MfccConfig, compute_mfcc


@dataclass
class Utterance:
    spec: UtteranceSpec
    feats: np.ndarray  # (frames, num_ceps) at 10 ms
    speech_s: tuple[float, float]  # where the clean speech lies, seconds

    @property
    def duration_s(self) -> float:
        return self.feats.shape[0] * 0.01


_worker_cfg: MfccConfig | None = None


def _init_worker(options: Mapping[str, str]) -> None:
    global _worker_cfg
    _worker_cfg = MfccConfig.from_options(options)


def _features(spec: UtteranceSpec) -> tuple[np.ndarray, tuple[float, float]]:
    assert _worker_cfg is not None
    rate = _worker_cfg.rate_hz
    audio, span = render(spec, rate)
    return compute_mfcc(audio, rate, _worker_cfg), span


def default_workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def extract_features(
    specs: Sequence[UtteranceSpec],
    cfg: MfccConfig,
    *,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Utterance]:
    """Synthesise, degrade and featurise every spec; output order follows ``specs``."""
    workers = workers or default_workers()
    options = dict(cfg.options)
    results: list[tuple[np.ndarray, tuple[float, float]]] = []
    if workers == 1:
        _init_worker(options)
        for spec in specs:
            results.append(_features(spec))
            if on_progress:
                on_progress(1)
    else:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_init_worker, initargs=(options,)) as pool:
            for item in pool.imap(_features, specs, chunksize=8):
                results.append(item)
                if on_progress:
                    on_progress(1)
    return [Utterance(s, f, span) for s, (f, span) in zip(specs, results, strict=True)]
