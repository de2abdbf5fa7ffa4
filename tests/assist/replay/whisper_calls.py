"""Calls made of real recorded speech (Debian's Asterisk prompts) for the
Whisper engine's command-line tests; skipped, saying why, where the packages
or faster-whisper cannot be installed."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from bench.real_speech_corpus import load, missing_packages, prompts
from ivr.sources import write_wav


def require_whisper() -> None:
    missing = missing_packages()
    if missing:
        pytest.skip(f"Debian packages not installed: {' '.join(missing)}")
    if importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("faster-whisper is not installed (scripts/setup.sh --test installs it)")


def stereo_call(path: Path, lang: str, customer: list[str], agent: list[str]) -> Path:
    """8 kHz stereo (customer left): the agent's prompts first, then the customer's, in turn."""
    by_name = {p.name: p for p in prompts(lang)}
    gap = np.zeros(4000, dtype=np.int16)
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for n in range(max(len(customer), len(agent))):
        for names, mine, other in ((agent, right, left), (customer, left, right)):
            if n < len(names):
                clip, _ = load(by_name[names[n]], "phone")
                mine += [clip, gap]
                other += [np.zeros_like(clip), gap]
    write_wav(path, np.stack([np.concatenate(left), np.concatenate(right)], axis=1), 8000)
    return path
