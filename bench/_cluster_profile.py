"""Every thread of a ``serve`` process profiled, for the measured step only.

``python -m bench._cluster_profile FOLDER ARGS...`` runs ``python -m assist
ARGS...`` with nothing profiled until the process gets SIGUSR1. From then
on the main thread (the event loop) and every thread started afterwards
(the recognition pool's workers) are profiled in **CPU time of their own
thread** (``time.thread_time``), so time a thread spends waiting (the loop
in ``select``, a worker on its queue) counts for nothing and vosk's C code
counts where it runs. SIGUSR2 ends the main thread's profile; a worker's
profile ends when the worker does (at shutdown, after the step). Each
profile is written to ``FOLDER/<thread>.prof``; :func:`report` merges them.

Start-up (loading models, stemming the lexicon) is never in the profile:
the bench signals only once the node listens, and only threads started
after the signal are profiled (:func:`report` says how much CPU the other
threads used during the step, from ``/proc``).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import runpy
import signal
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

_REPO = f"{Path(__file__).resolve().parents[1]}/"
_AREAS = (  # (label, path fragment): own time grouped by where it is spent
    ("anger core (assist/anger)", "/assist/anger/"),
    ("advisor", "/assist/advisor/"),
    ("pipeline + feed", "/assist/pipeline.py"),
    ("pipeline + feed", "/assist/calls/"),
    ("event chain, redaction", "/assist/chain/"),
    ("event chain, redaction", "/assist/redact/"),
    ("hub (ingest, screens, bus)", "/assist/hub/"),
    ("vosk engine wrapper, resampling", "/ivr/asr/"),
    ("vosk engine wrapper, resampling", "/ivr/audio/"),
    ("vosk (C library via cffi)", "/vosk/"),
    ("telephony (lines, AudioSocket)", "/ivr/telephony/"),
    ("IVR call driver, menu, keypad", "/assist/ivrcall/"),
    ("IVR call driver, menu, keypad", "/ivr/menu/"),
    ("IVR call driver, menu, keypad", "/ivr/dtmf/"),
    ("event codec (ivr.events, wire)", "/ivr/"),
    ("websockets", "/websockets/"),
    ("asyncio", "/asyncio/"),
    ("numpy (not charged to a caller)", "/numpy/"),
    ("json (not charged to a caller)", "/json/"),
    ("threads, queues (stdlib)", "/concurrent/"),
    ("threads, queues (stdlib)", "/threading.py"),
    ("threads, queues (stdlib)", "/queue.py"),
)


class _Profiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.on = False
        self.main: cProfile.Profile | None = None
        self._lock = threading.Lock()
        self._names: set[str] = set()

    def start(self, *_: object) -> None:
        if self.on:
            return
        self.on = True
        self.main = cProfile.Profile(time.thread_time)
        self.main.enable()

    def stop(self, *_: object) -> None:
        if self.main is not None:
            self.main.disable()
            self.save(self.main, "main")
            self.main = None

    def save(self, profile: cProfile.Profile, name: str) -> None:
        with self._lock:
            stem, n = name.replace("/", "_"), 1
            while f"{stem}-{n}" in self._names:
                n += 1
            self._names.add(f"{stem}-{n}")
        profile.dump_stats(str(self.folder / f"{stem}-{n}.prof"))


def _launch(folder: Path, args: list[str]) -> None:
    profiles = _Profiles(folder)
    plain_run = threading.Thread.run

    def run(thread: threading.Thread) -> None:
        if not profiles.on:
            return plain_run(thread)
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            return plain_run(thread)
        finally:
            profile.disable()
            profiles.save(profile, thread.name)

    threading.Thread.run = run  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, profiles.start)
    signal.signal(signal.SIGUSR2, profiles.stop)
    sys.argv = ["assist", *args]
    try:
        runpy.run_module("assist", run_name="__main__", alter_sys=True)
    finally:
        profiles.stop()


# ---------------------------------------------------------------- the report


def loop_and_pool_s(
    before: dict[int, float], after: dict[int, float], pid: int
) -> tuple[float, float]:
    """CPU seconds between two :func:`thread_cpu_s` readings: (the main
    thread, which runs the event loop; all other threads)."""
    spent = {tid: cpu - before.get(tid, 0.0) for tid, cpu in after.items()}
    main_s = spent.pop(pid, 0.0)
    return main_s, sum(spent.values())


def thread_cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds so far of each thread of a process."""
    tick_s = 1.0 / os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) * tick_s
    return out


def _area(filename: str) -> str:
    for label, fragment in _AREAS:
        if fragment in filename:
            return label
    return "other Python" if filename != "~" else "other C functions"


_PASS_THROUGH = ("~", "/numpy/", "/json/", "/functools.py", "/contextlib.py")


def _passes_through(filename: str) -> bool:
    """Library code whose time belongs to whoever called it (numpy's median
    called by the anger core is the anger core's cost)."""
    return any(fragment == filename or fragment in filename for fragment in _PASS_THROUGH)


def by_area(stats: pstats.Stats) -> dict[str, float]:
    """Own CPU time per area; the time of C functions and of library code
    (numpy, json) is charged to the area of the code that called it, in
    proportion to each caller's share of the calls' time."""
    areas: dict[str, float] = defaultdict(float)
    table = stats.stats  # type: ignore[attr-defined]

    def charge(func: tuple[str, int, str], own_s: float, depth: int) -> None:
        callers = table[func][4] if func in table else {}
        if depth > 8 or not callers or not _passes_through(func[0]):
            areas[_area(func[0])] += own_s
            return
        total = sum(edge[3] for edge in callers.values()) or 1.0
        for caller, edge in callers.items():
            charge(caller, own_s * edge[3] / total, depth + 1)

    for func, (_, _, own_s, _, _) in table.items():
        charge(func, own_s, 0)
    return dict(areas)


def report(folder: Path, audio_s: float, step_cpu: dict[str, float], top: int = 15) -> None:
    """Print the merged profile: per thread, per area, then the top functions."""
    files = sorted(folder.glob("*.prof"))
    if not files:
        print("profile: the node wrote no profile")
        return
    print("\nthreads (profiled CPU; /proc CPU during the step):")
    for name, cpu in sorted(step_cpu.items()):
        print(f"  {name:<28} /proc {cpu:6.2f} s")
    for file in files:
        own_s = pstats.Stats(str(file)).total_tt  # type: ignore[attr-defined]
        print(f"  {file.stem:<28} profiled {own_s:6.2f} s")
    stats = pstats.Stats(*map(str, files))
    total_s = stats.total_tt  # type: ignore[attr-defined]
    print(f"\nwhere the profiled CPU goes ({total_s:.2f} s over {audio_s:.0f} audio-s; "
          "C and library calls charged to their callers; profiling inflates "
          "Python-heavy parts, read the shares):")  # fmt: skip
    for label, own_s in sorted(by_area(stats).items(), key=lambda kv: -kv[1]):
        if own_s >= 0.005 * total_s:
            print(f"  {label:<36} {own_s:6.2f} s  {100 * own_s / total_s:5.1f} %")
    print(f"\ntop {top} functions by own CPU time (all threads):")
    print(f"  {'own s':>7} {'cum s':>7} {'calls':>8}  function")
    table = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(table.items(), key=lambda kv: -kv[1][2])[:top]
    for (filename, line, name), (_, calls, own_s, cum_s, _) in ranked:
        print(f"  {own_s:7.3f} {cum_s:7.3f} {calls:8d}  {_short(filename)}:{line}({name})")


def _short(filename: str) -> str:
    for marker in ("/site-packages/", _REPO, "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


if __name__ == "__main__":
    _launch(Path(sys.argv[1]), sys.argv[2:])
