"""The C allocator setting a live node runs with: glibc's fast bins off.

glibc's malloc keeps small freed blocks in per-size "fast bins" and merges
them all at once (``malloc_consolidate``) when a larger block is wanted. A
node's recognition threads interleave vosk's decoder, numpy and Python,
which free many small blocks and then ask for large ones several times per
0.2 s piece and call: a profile of a node at 8 callers had a tenth of its
CPU in malloc, a third of that in the merging. With fast bins off a freed
block is merged at once and the sweeps never happen: the node used 7-10 %
less CPU at 8 callers (most of it vosk's own decoding: vosk alone at the
same pace also gains, in a hot loop it does not).

Only glibc has fast bins; elsewhere nothing is changed. A site that sets
the allocator itself (``GLIBC_TUNABLES`` naming ``mxfast``) keeps its own.
"""

from __future__ import annotations

import ctypes
import os
import platform

M_MXFAST = 1  # mallopt parameter: the largest block size kept in fast bins


def no_fast_bins() -> bool:
    """Turn glibc's fast bins off for this process; whether it was done."""
    if platform.libc_ver()[0] != "glibc" or "mxfast" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MXFAST, 0) == 1)
