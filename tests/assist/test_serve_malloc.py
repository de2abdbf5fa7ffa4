"""A live node turns glibc's fast bins off (freed small blocks are merged at
once instead of kept for a later sweep), and leaves a site's own allocator
setting alone."""

import os
import platform
import subprocess
import sys

import pytest

from assist.serve_malloc import no_fast_bins

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")

# Frees 200 small blocks in a fresh process and prints the bytes glibc keeps
# in fast bins afterwards (mallinfo2's fsmblks), with or without the setting.
_PROBE = """
import ctypes, sys
from assist.serve_malloc import no_fast_bins
if sys.argv[1] == "off":
    assert no_fast_bins()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]
libc.mallinfo2.restype = Info
blocks = [libc.malloc(48) for _ in range(200)]
guard = libc.malloc(48)  # keeps the freed ones from merging into the heap's top
for block in blocks:
    libc.free(block)
print(libc.mallinfo2().fsmblks)
"""


def _fast_bin_bytes(setting: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, setting], capture_output=True, text=True, env=env, check=True
    )
    return int(done.stdout.strip())


def test_fast_bins_are_off_in_a_node_and_on_by_default() -> None:
    assert _fast_bin_bytes("default") > 0
    assert _fast_bin_bytes("off") == 0


def test_a_sites_own_allocator_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.mxfast=64")
    assert no_fast_bins() is False
