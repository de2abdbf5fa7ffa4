"""Percentile of a few dozen values, exactly as numpy gives it.

The anger core takes medians and percentiles of a block's ten frames, of a
voiced run and of the current phrase many times a second per call. On so few
values numpy's call overhead is most of the cost; a plain sorted list is
several times faster. ``statistics.median`` already gives numpy's median
(the mean of the two middle values); this gives its linear percentile
(interpolation between neighbours, from the upper one when past half way),
the very same floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


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
