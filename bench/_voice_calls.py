"""Calls built from the real emotional speech in ``../shared/devsets/voice``.

A call is what the product sees when a customer talks: the speaker's own
neutral clip first (the calm start that sets the baseline), a 0.4 s pause,
then the clip under test; never the same clip twice. Speakers with no
neutral clip of their own (most of the Urdu set) get the test clip alone, to
be scored against the population priors and reported apart.

Three variants: as recorded; each segment equalised to the same RMS (what a
phone line's gain control does); equalised and then through the 8 kHz phone
band (300-3400 Hz). The devsets are read, never copied; nothing of this runs
in the test suite.
"""

from __future__ import annotations

import csv
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal

RATE_HZ = 16000
PHONE_RATE_HZ = 8000
PAUSE_S = 0.4
EQUAL_RMS_DBFS = -24.0
VARIANTS = ("recorded", "equalised", "phone8k")
DEVSETS = Path(__file__).resolve().parents[1].parent / "shared" / "devsets" / "voice"


@dataclass(frozen=True)
class Clip:
    path: Path
    angry: bool
    speaker: str
    gender: str


@dataclass(frozen=True)
class VoiceCall:
    """One call to score: ``baseline`` clip (or None) then ``test`` clip."""

    corpus: str
    test: Clip
    baseline: Clip | None

    @property
    def own_baseline(self) -> bool:
        return self.baseline is not None

    @property
    def call_id(self) -> str:
        return f"{self.corpus}:{self.test.path.stem}"


def available(root: Path = DEVSETS) -> bool:
    return root.is_dir() and any(root.glob("*/labels.csv"))


def load_calls(root: Path = DEVSETS, corpora: list[str] | None = None) -> list[VoiceCall]:
    calls: list[VoiceCall] = []
    for labels in sorted(root.glob("*/labels.csv")):
        corpus = labels.parent.name
        if corpora and corpus not in corpora:
            continue
        by_speaker: dict[str, list[Clip]] = defaultdict(list)
        with labels.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                clip = Clip(
                    labels.parent / row["path"],
                    row["label"] == "angry",
                    row["speaker"],
                    row.get("gender", ""),
                )
                by_speaker[clip.speaker].append(clip)
        for clips in by_speaker.values():
            neutral = sorted((c for c in clips if not c.angry), key=lambda c: c.path.name)
            for clip in sorted(clips, key=lambda c: c.path.name):
                calls.append(VoiceCall(corpus, clip, _baseline_for(clip, neutral)))
    return calls


def _baseline_for(clip: Clip, neutral: list[Clip]) -> Clip | None:
    """The speaker's next neutral clip after this one (cyclic), never the clip itself."""
    others = [c for c in neutral if c.path != clip.path]
    if not others:
        return None
    later = [c for c in others if c.path.name > clip.path.name]
    return (later or others)[0]


_cache: dict[Path, np.ndarray] = {}


def read_clip(path: Path) -> np.ndarray:
    """A FLAC clip as float64 samples at 16 kHz (decoded by sox, cached)."""
    if path not in _cache:
        raw = subprocess.run(
            [
                "sox",
                str(path),
                "-t",
                "raw",
                "-e",
                "signed",
                "-b",
                "16",
                "-c",
                "1",
                "-r",
                str(RATE_HZ),
                "-",
            ],
            check=True,
            capture_output=True,
        ).stdout
        _cache[path] = np.frombuffer(raw, dtype=np.int16).astype(np.float64)
    return _cache[path]


def _equalise(x: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(x * x))) + 1e-9
    return x * (32768.0 * 10 ** (EQUAL_RMS_DBFS / 20) / rms)


_PHONE_SOS = signal.butter(4, (300.0, 3400.0), btype="bandpass", fs=RATE_HZ, output="sos")


def call_audio(call: VoiceCall, variant: str) -> tuple[np.ndarray, int]:
    """The call's samples (int16) and rate for one variant."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
    parts = [] if call.baseline is None else [read_clip(call.baseline.path)]
    parts.append(read_clip(call.test.path))
    if variant != "recorded":
        parts = [_equalise(p) for p in parts]
    pause = np.zeros(int(PAUSE_S * RATE_HZ))
    joined = np.concatenate([parts[0], pause, parts[1]]) if len(parts) == 2 else parts[0]
    rate = RATE_HZ
    if variant == "phone8k":
        joined = signal.resample_poly(signal.sosfilt(_PHONE_SOS, joined), 1, 2)
        rate = PHONE_RATE_HZ
    pcm = np.clip(np.round(joined), -32768, 32767).astype(np.int16)
    return pcm, rate


def test_start_s(call: VoiceCall) -> float:
    """Where the clip under test starts in the call."""
    if call.baseline is None:
        return 0.0
    return read_clip(call.baseline.path).size / RATE_HZ + PAUSE_S
