"""Hiding spans of a recording: a tone or silence where PII was said.

Word times from the recogniser are approximate, so each span is widened by
``pad_s`` on both sides. The tone fades in and out over 5 ms (no clicks) at
-20 dBFS, loud enough to be heard as a bleep, not enough to startle.
Pure numpy, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BLEEP_DBFS = -20.0
FADE_S = 0.005


def merged(spans_s: Sequence[tuple[float, float]], pad_s: float) -> list[tuple[float, float]]:
    """The spans widened by ``pad_s``, overlapping ones joined, in order."""
    out: list[tuple[float, float]] = []
    for start_s, end_s in sorted((max(0.0, s - pad_s), e + pad_s) for s, e in spans_s):
        if out and start_s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end_s))
        else:
            out.append((start_s, end_s))
    return out


def hide_spans(
    samples: np.ndarray,
    rate_hz: int,
    spans_s: Sequence[tuple[float, float]],
    *,
    mode: str = "bleep",
    pad_s: float = 0.15,
    bleep_hz: float = 1000.0,
) -> np.ndarray:
    """A copy of int16 ``samples`` with each span replaced by a tone or silence."""
    out = np.array(samples, dtype=np.int16, copy=True)
    amplitude = 32767 * 10 ** (BLEEP_DBFS / 20)
    fade = max(1, int(FADE_S * rate_hz))
    for start_s, end_s in merged(spans_s, pad_s):
        a, b = int(start_s * rate_hz), min(len(out), int(np.ceil(end_s * rate_hz)))
        if a >= b:
            continue
        if mode == "silence":
            out[a:b] = 0
            continue
        t = np.arange(b - a) / rate_hz
        envelope = np.minimum(1.0, np.minimum(np.arange(b - a) + 1, np.arange(b - a, 0, -1)) / fade)
        out[a:b] = np.round(amplitude * envelope * np.sin(2 * np.pi * bleep_hz * t)).astype(
            np.int16
        )
    return out
