"""Decode audio with vosk and score it: used by the builder's tests and benchmark."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ivr.modelbuild.synth import to_pcm16


@dataclass
class Decoded:
    """Everything vosk said while one utterance streamed through it."""

    partials: list[dict[str, Any]] = field(default_factory=list)
    finals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def words(self) -> list[dict[str, Any]]:
        return [w for f in self.finals for w in f.get("result", [])]

    @property
    def text(self) -> str:
        return " ".join(f["text"] for f in self.finals if f.get("text"))


def load_model(model_dir: Path) -> Any:
    """Load a vosk model quietly (vosk logs to stderr otherwise)."""
    import vosk

    vosk.SetLogLevel(-2)  # errors only: Kaldi warns once per utterance at -1
    return vosk.Model(str(model_dir))


def stream_decode(
    model: Any,
    samples: np.ndarray,
    rate_hz: int,
    *,
    chunk_s: float = 0.1,
    grammar: str | None = None,
) -> Decoded:
    """Feed audio chunk by chunk like a live call; collect partial and final results."""
    import vosk

    rec = (
        vosk.KaldiRecognizer(model, rate_hz)
        if grammar is None
        else vosk.KaldiRecognizer(model, rate_hz, grammar)
    )
    rec.SetWords(True)
    rec.SetPartialWords(True)
    pcm = to_pcm16(samples)
    step = max(2, int(rate_hz * chunk_s) * 2)
    out = Decoded()
    for start in range(0, len(pcm), step):
        if rec.AcceptWaveform(pcm[start : start + step]):
            out.finals.append(json.loads(rec.Result()))
        else:
            out.partials.append(json.loads(rec.PartialResult()))
    out.finals.append(json.loads(rec.FinalResult()))
    return out


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Word-level Levenshtein distance (substitutions, insertions, deletions)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def word_error_rate(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> float:
    """Total edits over total reference words, for (reference, hypothesis) pairs."""
    errors = sum(edit_distance(r, h) for r, h in pairs)
    total = sum(len(r) for r, _ in pairs)
    return errors / total if total else 0.0
