"""The best single cue with hindsight: the baseline every set should meet.

Two cues of the clip under test against the speaker's neutral clip (RMS
level, and the share of energy at 1-4 kHz), each with the one threshold that
scores best on the very calls it is scored on.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import signal

from bench._fusion_fit import uar
from bench._voice_calls import VoiceCall, test_start_s


def single_cues(call: VoiceCall, pcm: np.ndarray, rate_hz: int) -> tuple[float, float]:
    """The test clip against the baseline clip: RMS level and the share of
    energy at 1-4 kHz, both in dB (0 when there is no baseline clip)."""
    if not call.own_baseline:
        return 0.0, 0.0
    t0 = round(test_start_s(call) * rate_hz)
    x = pcm.astype(np.float64)
    base, test = x[: t0 - round(0.4 * rate_hz)], x[t0:]

    def level_and_share(seg: np.ndarray) -> tuple[float, float]:
        f, p = signal.welch(seg, fs=rate_hz, nperseg=512)
        share = p[(f >= 1000) & (f < 4000)].sum() / (p.sum() + 1e-12)
        return 10 * np.log10(np.mean(seg * seg) + 1e-9), 10 * np.log10(share + 1e-12)

    (lb, hb), (lt, ht) = level_and_share(base), level_and_share(test)
    return lt - lb, ht - hb


def _best_threshold_uar(angry: np.ndarray, x: np.ndarray) -> float:
    best = 0.5
    for t in np.unique(x):
        best = max(best, uar(angry, x >= t))
    return best


def print_single_cues(
    results: dict[str, list], corpora: list[str], line: Callable[[str, list[str]], str]
) -> None:
    print("\nBEST SINGLE CUE WITH HINDSIGHT (test clip vs the speaker's neutral clip)")
    for v, scored in results.items():
        print(f" {v}:")
        print(line("set", ["loudness", "HF share", "best"]))
        for name in [*corpora, "POOLED"]:
            group = [s for s in scored if s.own_baseline and name in (s.corpus, "POOLED")]
            if not group:
                continue
            y = np.array([s.angry for s in group])
            loud = _best_threshold_uar(y, np.array([s.loudness_db for s in group]))
            hf = _best_threshold_uar(y, np.array([s.hf_share_db for s in group]))
            print(line(name, [f"{loud:.3f}", f"{hf:.3f}", f"{max(loud, hf):.3f}"]))
