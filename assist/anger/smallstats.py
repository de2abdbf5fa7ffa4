"""Median and percentile of a few dozen values, exactly as numpy gives them.

The anger core takes medians of a block's ten frames, of a voiced run and of
the current phrase many times a second per call. On so few values numpy's
call overhead is most of the cost; sorting a plain list is several times
faster and, done as numpy does it (the mean of the two middle values; linear
interpolation between neighbours, from the upper one when past half way),
gives the very same floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def median_sorted(ordered: Sequence[float]) -> float:
    """``np.median`` of values already in ascending order (not empty, no NaN)."""
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2.0


def median(values: Sequence[float]) -> float:
    """``np.median`` of a few values (not empty, no NaN)."""
    return median_sorted(sorted(values))


def percentile_sorted(ordered: Sequence[float], q: float) -> float:
    """``np.percentile(values, q)`` (linear method) of values in ascending
    order (not empty, no NaN), ``q`` in 0..100."""
    n = len(ordered)
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:
        return ordered[-1]
    below = math.floor(virtual)
    a, b = ordered[below], ordered[below + 1]
    t = virtual - below
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t
