"""An IVR node measured the way ``bench.cluster`` part 1 measures an assist node.

One ``python -m assist ivr`` process (AudioSocket on loopback, the shipped
model, no store), K callers at once at real-time pace, each walking the
example menu as ``bench.ivr_calls`` scripts it: a menu word spoken over the
welcome prompt (or key 1 when the word is not acted on), key 1 in the next
menu, the transfer prompt, hang-up. Such a call is mostly silence and
prompts, where an assist caller talks all the time, so the CPU per audio
second of the two nodes is not the same load; the CPU per call and the
largest K are what a site sizes with.

Per K:

- **answers**: each reaction of the IVR (its decision arriving on the
  supervisor socket) after a key's or a word's end, less what it has to wait
  anyway (the key detector's release wait, the recogniser's endpoint
  silence, measured offline on the same audio by ``bench.ivr_calls``): the
  node's own delay. The largest K with its p95 under 300 ms and no failed
  call is the IVR node's capacity, as for the assist node;
- the prompts' lateness (p99 of played frames against their 20 ms cadence);
- the process's CPU per call (% of a core) and per audio second, split into
  the event loop's thread and the others (the recognition pool), from /proc.

``python -m bench._cluster_ivr [--ks 8 16 32] [--profile K]``: the steps
alone, and with ``--profile K`` where a fresh IVR node's CPU goes over one
step at K calls (every thread in CPU time, start-up excluded, the warm-up
call included so that the recognition pool's threads are profiled; see
``bench._cluster_profile``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench._cluster_profile import loop_and_pool_s, report, thread_cpu_s
from bench.ivr_calls import (
    SPREAD_S,
    Script,
    Supervisor,
    default_model,
    ivr_process,
    make_script,
    one_call,
    pct,
)

TARGET_P95_S = 0.3


@dataclass(frozen=True)
class IvrStep:
    k: int
    p95_s: float  # the node's own delay in its answers
    answers: int
    failed: int
    late_p99_s: float  # prompt frames
    wall_s: float
    audio_s: float
    loop_s: float
    pool_s: float

    @property
    def cpu_s(self) -> float:
        return self.loop_s + self.pool_s

    @property
    def core_per_call(self) -> float:
        return self.cpu_s / self.wall_s / self.k

    @property
    def ok(self) -> bool:
        return self.p95_s < TARGET_P95_S and not self.failed


async def _step(k: int, pid: int, port: int, sup: Supervisor, script: Script) -> IvrStep:
    threads0, t0 = thread_cpu_s(pid), time.monotonic()
    calls = await asyncio.gather(*(one_call(port, sup, script, i * SPREAD_S / k) for i in range(k)))
    wall_s = time.monotonic() - t0
    loop_s, pool_s = loop_and_pool_s(threads0, thread_cpu_s(pid), pid)
    own = [s - script.key_delay_s for c in calls for s in c.key_s]
    own += [s - script.speech_delay_s for c in calls for s in c.speech_s]
    return IvrStep(
        k,
        pct(own, 95),
        len(own),
        sum(1 for c in calls if c.error),
        pct([x for c in calls for x in c.lateness_s], 99),
        wall_s,
        sum(c.audio_s for c in calls),
        loop_s,
        pool_s,
    )


async def _warm_supervisor(hub: int, port: int, script: Script) -> tuple[Supervisor, asyncio.Task]:
    """The supervisor stream, once a warm-up call (not counted) has rendered the prompts."""
    sup = Supervisor()
    sup_task = asyncio.create_task(sup.run(f"ws://127.0.0.1:{hub}/ws/supervisor"))
    await asyncio.wait_for(sup.connected.wait(), 10)
    warm = await one_call(port, sup, script)
    if warm.error:
        sup_task.cancel()
        raise SystemExit(f"bench: the IVR's warm-up call failed: {warm.error}")
    return sup, sup_task


async def _measure(ks: list[int], pid: int, hub: int, port: int, script: Script) -> list[IvrStep]:
    sup, sup_task = await _warm_supervisor(hub, port, script)
    try:
        print(f"{'K':>4} {'p95 ms':>7} {'answers':>8} {'failed':>6} {'late99':>6} {'cores':>6} "
              f"{'%core/call':>10} {'node':>7} {'loop':>7} {'pool':>7}")  # fmt: skip
        steps: list[IvrStep] = []
        for k in ks:
            s = await _step(k, pid, port, sup, script)
            steps.append(s)
            print(f"{k:>4} {s.p95_s * 1000:>7.0f} {s.answers:>8} {s.failed:>6} "
                  f"{s.late_p99_s * 1000:>6.0f} {s.cpu_s / s.wall_s:>6.2f} "
                  f"{100 * s.core_per_call:>9.1f}% {s.cpu_s / s.audio_s:>7.4f} "
                  f"{s.loop_s / s.audio_s:>7.4f} {s.pool_s / s.audio_s:>7.4f}",
                  flush=True)  # fmt: skip
            if not s.ok:
                break
        return steps
    finally:
        sup_task.cancel()


def ivr_node(ks: list[int], lang: str = "en") -> list[IvrStep]:
    """Print and return the IVR node's steps (up to the first one over the target)."""
    model = default_model(lang)
    print(
        f"\nIVR node (python -m assist ivr, AudioSocket, {lang}): K calls at once, each says "
        "a menu word over the welcome prompt, presses 1, hears the transfer prompt, hangs up; "
        "p95 = the node's own delay in its answers (reaction less the key release wait or "
        "the endpoint silence); late99 = prompt frames, ms; CPU-s per audio-s as for the "
        "assist node"
    )
    with tempfile.TemporaryDirectory(prefix="cluster-ivr-") as tmp:
        script = make_script(model, lang, Path(tmp) / "caller")
        with ivr_process(model, lang, Path(tmp)) as (pid, hub, port):
            steps = asyncio.run(_measure(ks, pid, hub, port, script))
    best = max((s.k for s in steps if s.ok), default=0)
    print(f"largest K with the IVR's answers under {TARGET_P95_S * 1000:.0f} ms p95: {best}")
    return steps


async def _profiled_step(k: int, pid: int, hub: int, port: int, script: Script) -> IvrStep:
    # The profile starts before the warm-up call: the recognition pool's
    # threads start with the first call, and only threads started after the
    # signal are profiled. So the profile holds K + 1 calls (the step's
    # /proc figures hold K).
    os.kill(pid, signal.SIGUSR1)
    sup, sup_task = await _warm_supervisor(hub, port, script)
    try:
        step = await _step(k, pid, port, sup, script)
        os.kill(pid, signal.SIGUSR2)
        return step
    finally:
        sup_task.cancel()


def profile(k: int, lang: str = "en", keep: Path | None = None) -> None:
    """Where a fresh IVR node's CPU goes over one step at K calls; ``keep``:
    a folder to leave the profiles in (``*.prof``, for pstats)."""
    model = default_model(lang)
    with tempfile.TemporaryDirectory(prefix="cluster-ivr-prof-") as tmp:
        folder = keep or Path(tmp) / "prof"
        folder.mkdir(parents=True, exist_ok=True)
        script = make_script(model, lang, Path(tmp) / "caller")
        with ivr_process(model, lang, Path(tmp), profile_dir=folder) as (pid, hub, port):
            s = asyncio.run(_profiled_step(k, pid, hub, port, script))
        print(f"\nwhere an IVR node's CPU goes at K={k} (every thread, CPU time, the step only; "
              f"p95 {s.p95_s * 1000:.0f} ms, {s.failed} failed, late99 "
              f"{s.late_p99_s * 1000:.0f} ms under the profiler):")  # fmt: skip
        report(folder, s.audio_s, {"event loop (main)": s.loop_s, "other threads": s.pool_s})


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._cluster_ivr")
    parser.add_argument("--ks", type=int, nargs="+", default=[8, 16, 32, 48, 64])
    parser.add_argument("--profile", type=int, default=0, metavar="K", help="profile at K calls")
    parser.add_argument("--no-steps", action="store_true", help="only the profile")
    parser.add_argument("--keep", type=Path, help="leave the profiles in this folder")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    if not args.no_steps:
        ivr_node(args.ks, args.lang)
    if args.profile:
        profile(args.profile, args.lang, args.keep)


if __name__ == "__main__":
    main(sys.argv[1:])
