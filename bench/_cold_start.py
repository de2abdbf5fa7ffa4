"""Cold start: each clip under test alone, with no neutral clip before it.

That is a caller whose first words are already heated (or calm), judged
against the population priors only: the IVR's situation, where an angry
caller should reach a person, and the start of every call. The two-clip
calls of :mod:`bench.real_voices` never show it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import numpy as np

from bench._fusion_fit import uar
from bench._voice_calls import VoiceCall


def alone(calls: Iterable[VoiceCall]) -> list[VoiceCall]:
    """Every call's test clip without its baseline clip."""
    return [dataclasses.replace(c, baseline=None) for c in calls]


def print_cold_start(
    results: dict[str, list], corpora: list[str], line: Callable[[str, list[str]], str]
) -> None:
    """Per set and pooled: strict and loose UAR, recall per class (strict)."""
    print("\nCOLD START (each clip under test alone, against the population priors)")
    for variant, scored in results.items():
        print(f" {variant}:")
        print(line("set", ["strict", "loose", "angry rec", "calm rec"]))
        for name in [*corpora, "POOLED"]:
            group = [s for s in scored if name in (s.corpus, "POOLED")]
            if not group:
                continue
            y = np.array([s.angry for s in group])
            rank = np.array([s.peak_rank for s in group])
            strict, loose = rank >= 2, rank >= 1
            cells = [
                f"{uar(y, strict):.3f}",
                f"{uar(y, loose):.3f}",
                f"{strict[y].mean():.2f}" if y.any() else "-",
                f"{(~strict[~y]).mean():.2f}" if (~y).any() else "-",
            ]
            print(line(name, cells))
